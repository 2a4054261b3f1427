package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// usageError is a command used wrongly: the starter prints it on one line with where to
// find the usage, and exits 2.
type usageError struct {
	msg, cmd string
}

func (e *usageError) Error() string { return e.msg }

// Hint is where the full usage is.
func (e *usageError) Hint() string {
	if e.cmd == "" {
		return "run 'starter --help' for the commands"
	}
	return fmt.Sprintf("run 'starter %s -h' for usage", e.cmd)
}

func usagef(cmd, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), cmd: cmd}
}

// errHelp: -h printed the command's help; the starter exits 0.
var errHelp = flag.ErrHelp

// command is one flag set with its usage line; its errors never print the whole help.
type command struct {
	*flag.FlagSet
	name, synopsis string
}

func newCommand(name, synopsis string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{FlagSet: fs, name: name, synopsis: synopsis}
}

// parse reads flags and arguments in any order ("resume ID --wait" as well as
// "resume --wait ID"). -h prints the help to stdout.
func (c *command) parse(args []string) ([]string, error) {
	var rest []string
	for {
		err := c.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			c.printHelp(os.Stdout)
			return nil, errHelp
		case err != nil:
			return nil, c.flagError(err)
		}
		args = c.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: starter %s\n", c.synopsis)
	n := 0
	c.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	c.SetOutput(w)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// flagError rewrites the flag package's message into one line that names the flag as
// people type it, and suggests the flag meant.
func (c *command) flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		msg = fmt.Sprintf("unknown flag --%s", name)
		if s := c.suggest(name); s != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", s)
		}
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		msg = fmt.Sprintf("flag --%s needs a value", strings.TrimLeft(name, "-"))
	} else {
		msg = strings.Replace(msg, " for flag -", " for --", 1)
	}
	return usagef(c.name, "%s", msg)
}

// suggest is the flag closest to name, if it is close enough to be a typo.
func (c *command) suggest(name string) string {
	best, bestDist := "", max(2, len(name)/3)+1
	c.VisitAll(func(f *flag.Flag) {
		if d := distance(name, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// duration is a Go duration flag whose error says what is accepted: "1d" is not.
type duration struct{ d *time.Duration }

func (f duration) String() string {
	if f.d == nil {
		return "0s"
	}
	return f.d.String()
}

func (f duration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 90m, 6h or 24h (units s, m, h; there is no d)")
	}
	*f.d = d
	return nil
}

// output is --output: text for people, json for scripts.
type output string

func (o *output) String() string { return string(*o) }

func (o *output) Set(s string) error {
	if s != "text" && s != "json" {
		return errors.New("want text or json")
	}
	*o = output(s)
	return nil
}

func (o *output) json() bool { return *o == "json" }

func addOutput(c *command) *output {
	o := output("text")
	c.Var(&o, "output", "`format`: text for people, or json for scripts")
	return &o
}
