package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ByteSize is a size in bytes read from the environment as 1048576, 64KiB, 32MiB or 1GiB.
type ByteSize int64

var byteUnits = []struct {
	suffix string
	n      int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// Decode implements envconfig.Decoder.
func (b *ByteSize) Decode(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return fmt.Errorf("%q is not a size like 32MiB", s)
	}
	*b = ByteSize(n * mult)
	return nil
}
