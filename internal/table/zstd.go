package table

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdCodec is parquet-go's zstd codec with one encoder of bounded memory: the library's
// own keeps a pool of encoders with zstd's default tables, which cost the worker about
// 80 MB while a table was written. A page (256 KiB at most) is compressed whole, so a
// 1 MiB window loses nothing.
type zstdCodec struct {
	once sync.Once
	mu   sync.Mutex
	enc  *zstd.Encoder
	dec  *zstd.Decoder
	err  error
}

func (c *zstdCodec) String() string                            { return "ZSTD" }
func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdCodec) init() {
	c.enc, c.err = zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<20),
		zstd.WithLowerEncoderMem(true),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(false),
	)
	if c.err == nil {
		c.dec, c.err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	}
}

func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	c.once.Do(c.init)
	if c.err != nil {
		return nil, c.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enc.EncodeAll(src, dst[:0]), nil
}

func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	c.once.Do(c.init)
	if c.err != nil {
		return nil, c.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dec.DecodeAll(src, dst[:0])
}
