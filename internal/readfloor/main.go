// Command readfloor reads and JSON-decodes every integrations/*/manifest.json
// under a root, and the root's manifest.schema.json, and does nothing else:
// the floor that a whole `harness validate` process is measured against
// (README, Benchmarks).
//
//	go build -o /tmp/readfloor ./internal/readfloor && /tmp/readfloor ROOT
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readfloor ROOT")
		os.Exit(2)
	}
	root := os.Args[1]
	files, err := filepath.Glob(filepath.Join(root, "integrations", "*", "manifest.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	files = append(files, filepath.Join(root, "manifest.schema.json"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			os.Exit(1)
		}
		n++
	}
	fmt.Printf("%d files read and decoded\n", n)
}
