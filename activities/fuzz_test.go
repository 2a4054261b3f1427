package activities

import (
	"path"
	"strings"
	"testing"
)

// FuzzKeys: whatever prefix and export id pass validation, every key the export writes
// stays inside its own folder, parses back to its page, and is refused when S3 would
// refuse it.
func FuzzKeys(f *testing.F) {
	f.Add("clio/contacts", "contacts-1", 0, 1)
	f.Add("clio", "contacts", 3, 99_999_999)
	f.Add("p/victim", "data", 1, 2)
	f.Add("../x", "a", 0, 1)
	f.Add(strings.Repeat("abcdefghi/", 300)+"x", "id", 0, 1)
	f.Add("a//b", ".", 0, 1)
	f.Fuzz(func(t *testing.T, prefix, id string, partition, seq int) {
		if !ValidPrefix(prefix) || !ValidSegment(id) || partition < 0 || partition > 999 || seq < 1 || seq > 99_999_999 {
			return
		}
		base := path.Join(prefix, id)
		if base != prefix+"/"+id {
			t.Fatalf("valid prefix %q and id %q joined to %q", prefix, id, base)
		}
		key := PageKey(base, partition, seq)
		for _, seg := range strings.Split(key, "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Fatalf("key %q has segment %q", key, seg)
			}
		}
		p, s, ok := parsePageKey(base, key)
		if !ok || p != partition || s != seq {
			t.Fatalf("parsePageKey(%q) = %d, %d, %v", key, p, s, ok)
		}
		if err := checkKeyLength(base); (err == nil) != (len(key) <= maxKeyBytes && len(PageKey(base, 999, 99_999_999)) <= maxKeyBytes) {
			t.Fatalf("key length check for a %d-byte key: %v", len(key), err)
		}
		if dir, ok := exportDirOf(key); !ok || dir != base {
			t.Fatalf("page %q belongs to %q, not %q", key, dir, base)
		}
		index := indexKey(base, partition, seq)
		if !strings.HasPrefix(index, base+"/"+indexDir+"/") || len(index) > len(PageKey(base, 999, 99_999_999)) {
			t.Fatalf("index key %q is outside %s/%s/ or longer than the longest page key", index, base, indexDir)
		}
		if p, s, ok := parseIndexKey(base, index); !ok || p != partition || s != seq {
			t.Fatalf("parseIndexKey(%q) = %d, %d, %v", index, p, s, ok)
		}
		if _, _, ok := parsePageKey(base, index); ok {
			t.Fatalf("index key %q parses as a page", index)
		}
		if dir, ok := exportDirOf(index); ok && dir != base {
			t.Fatalf("index %q belongs to %q, not %q", index, dir, base)
		}
	})
}
