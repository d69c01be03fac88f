package suggest

import (
	"strings"

	"github.com/spf13/pflag"
)

// FlagError is err from parsing fs, with a did-you-mean when err names an
// unknown flag close to one that fs defines ("--roto" for --root). Every
// command reports its flag errors through it, so that a typo gets the same
// help wherever it is made.
func FlagError(fs *pflag.FlagSet, err error) string {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return msg
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if near := Closest(name, names); near != "" {
		msg += ": did you mean --" + near + "?"
	}
	return msg
}
