package sandbox

import (
	"fmt"
	"strings"
)

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
		"Margaret", "Dennis", "Radia", "Linus", "Hedy", "Tim", "Katherine", "John", "Sophie", "Niklaus"}
	lastNames = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
		"Thompson", "Hamilton", "Ritchie", "Perlman", "Torvalds", "Lamarr", "Berners-Lee", "Johnson",
		"McCarthy", "Wilson", "Wirth"}
	companyWords = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark",
		"Wayne", "Tyrell", "Soylent", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture"}
	companyKinds = []string{"Inc", "LLC", "Ltd", "GmbH", "Partners", "Holdings", "Labs", "Group"}
	topics       = []string{"renewal", "onboarding", "pricing", "contract review", "quarterly sync",
		"migration", "support escalation", "kickoff", "demo", "intake", "discovery", "billing"}
	domains = []string{"example.com", "example.org", "example.net", "test.dev", "mail.test"}
	cities  = []string{"Springfield", "Riverside", "Fairview", "Georgetown", "Madison", "Clinton", "Salem"}
)

func pick(list []string, h uint64) string { return list[h%uint64(len(list))] }

func personName(h uint64) (first, last string) {
	return pick(firstNames, h), pick(lastNames, h>>16)
}

func companyName(h uint64) string {
	return pick(companyWords, h) + " " + pick(companyKinds, h>>16)
}

func emailOf(first, last string, h uint64) string {
	local := strings.ToLower(first + "." + strings.ReplaceAll(last, "-", ""))
	return fmt.Sprintf("%s%d@%s", local, h%1000, pick(domains, h>>20))
}

// uuid formats two hashes as a version-4 UUID.
func uuid(a, b uint64) string {
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// base62 is in ASCII order, so fixed-width encodings sort like the numbers they encode.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func encode62(v uint64, width int) string {
	b := make([]byte, width)
	for k := width - 1; k >= 0; k-- {
		b[k] = base62[v%62]
		v /= 62
	}
	return string(b)
}

// title upper-cases the first letter of an ASCII string.
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
