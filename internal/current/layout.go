package current

import (
	"fmt"
	"strconv"
	"strings"
)

// Keys inside a table's root:
//
//	current.json                          the pointer: the published generation
//	gen-00000007/claim.json               the run writing the generation, and its base
//	gen-00000007/data/part-00000.jsonl.gz the rows, sorted by id, gzip'd JSONL
//	gen-00000007/table/part-00000.parquet format parquet or both
//	gen-00000007/schema.json              format parquet or both
//	gen-00000007/manifest.json            written last: every object, its rows and SHA-256
//	history/…                             the history table, laid out the same
const (
	pointerName  = "current.json"
	claimName    = "claim.json"
	manifestName = "manifest.json"
	schemaName   = "schema.json"
	genPrefix    = "gen-"
	dataDir      = "data"
	tableDir     = "table"
	historyDir   = "history"
	partExt      = ".jsonl.gz"
)

func pointerKey(root string) string { return root + "/" + pointerName }

// genDir is generation n's folder.
func genDir(root string, n int) string { return fmt.Sprintf("%s/%s%08d", root, genPrefix, n) }

func partKey(root string, n, part int) string {
	return fmt.Sprintf("%s/%s/part-%05d%s", genDir(root, n), dataDir, part, partExt)
}

func fileKey(root string, n, part int) string {
	return fmt.Sprintf("%s/%s/part-%05d.parquet", genDir(root, n), tableDir, part)
}

// genOf is the generation a key under root/gen- belongs to; ok is false for anything else.
func genOf(root, key string) (n int, ok bool) {
	rest, found := strings.CutPrefix(key, root+"/"+genPrefix)
	if !found {
		return 0, false
	}
	num, _, found := strings.Cut(rest, "/")
	if !found || len(num) != 8 {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || fmt.Sprintf("%08d", n) != num {
		return 0, false
	}
	return n, true
}
