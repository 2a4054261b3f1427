package activities

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Keys inside an export's folder. Page keys depend only on the export, partition and page
// number, so a retried page overwrites its earlier attempt instead of adding a copy.
const (
	manifestName   = "manifest.json"
	checkpointName = "checkpoint.json"
	dataDir        = "data"
	pageExt        = ".jsonl.gz"
	// indexDir holds page indexes while an export runs: serial batches' and parallel
	// workers' runs (index.go, pending.go).
	indexDir = "index"
)

var safeSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._=-]*$`)

// base is the folder that holds one export: [store prefix/]prefix/export id.
func (a *Activities) base(e Export) string {
	return path.Join(a.Prefix, e.Prefix, e.ID)
}

// PageKey is where page seq (1-based) of a partition lives.
func PageKey(base string, partition, seq int) string {
	return fmt.Sprintf("%s/%s/part-%03d/page-%08d%s", base, dataDir, partition, seq, pageExt)
}

// parsePageKey is the inverse of PageKey for keys under base/data/.
func parsePageKey(base, key string) (partition, seq int, ok bool) {
	rest, found := strings.CutPrefix(key, base+"/"+dataDir+"/")
	if !found || !strings.HasSuffix(rest, pageExt) {
		return 0, 0, false
	}
	var ext string
	n, err := fmt.Sscanf(rest, "part-%03d/page-%08d%s", &partition, &seq, &ext)
	if err != nil || n != 3 || ext != pageExt || PageKey(base, partition, seq) != key {
		return 0, 0, false
	}
	return partition, seq, true
}

// indexKey is where the index of a batch whose first page is firstSeq of partition lives:
// outside data/, and the same key for a retried batch, which overwrites it.
func indexKey(base string, partition, firstSeq int) string {
	return fmt.Sprintf("%s/%s/part-%03d/from-%08d.json", base, indexDir, partition, firstSeq)
}

// parseIndexKey is the inverse of indexKey for keys under base/index/.
func parseIndexKey(base, key string) (partition, firstSeq int, ok bool) {
	rest, found := strings.CutPrefix(key, base+"/"+indexDir+"/")
	if !found {
		return 0, 0, false
	}
	var ext string
	n, err := fmt.Sscanf(rest, "part-%03d/from-%08d%s", &partition, &firstSeq, &ext)
	if err != nil || n != 3 || indexKey(base, partition, firstSeq) != key {
		return 0, 0, false
	}
	return partition, firstSeq, true
}

// reservedNames are the files the bucket layout puts beside or inside export folders. A
// folder of the same name collides with them on a store that keeps objects as files
// (versitygw, MinIO): the file and the folder cannot both exist.
var reservedNames = []string{watermarkName, ownerName, manifestName, manifestName + stagedSuffix, checkpointName}

// reserved reports whether seg names one of the layout's files, or an account manifest.
func reserved(seg string) bool {
	for _, r := range reservedNames {
		if strings.EqualFold(seg, r) {
			return true
		}
	}
	return strings.HasSuffix(strings.ToLower(seg), accountSuffix)
}

// checkLayout refuses an export id or prefix segment that is one of the layout's own
// file names.
func checkLayout(e Export) error {
	segs := append(strings.Split(e.Prefix, "/"), e.ID)
	for _, seg := range segs {
		if reserved(seg) {
			return invalid("%q in export_id or prefix is the name of a file the bucket layout keeps (%s, or <id>%s): choose another name",
				seg, strings.Join(reservedNames, ", "), accountSuffix)
		}
	}
	return nil
}

// ValidSegment reports whether s can be one path segment of a key (export id, prefix part).
func ValidSegment(s string) bool {
	return safeSegment.MatchString(s) && s != "." && s != ".."
}

// ValidPrefix accepts slash-separated safe segments.
func ValidPrefix(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if !ValidSegment(seg) {
			return false
		}
	}
	return true
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
