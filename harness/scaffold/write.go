package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Write writes files under root, refusing to overwrite anything: every
// target is checked first, and a failure part-way removes what was written.
func Write(root string, files []File) error {
	if len(files) == 0 {
		return nil
	}
	intDir := filepath.Join(root, filepath.FromSlash(filepath.Dir(files[0].Path)))
	if _, err := os.Stat(intDir); err == nil {
		return fmt.Errorf("%s already exists: harness new never overwrites an integration (pick another key or remove the folder)", intDir)
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: harness new never overwrites a file (move it away or pick another key)", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	var written, madeDirs []string
	undo := func() {
		for i := len(written) - 1; i >= 0; i-- {
			os.Remove(written[i])
		}
		// Deepest first; Remove only succeeds on an empty folder, so a folder
		// someone else filled meanwhile survives.
		sort.Slice(madeDirs, func(i, j int) bool { return len(madeDirs[i]) > len(madeDirs[j]) })
		for _, d := range madeDirs {
			os.Remove(d)
		}
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		for d := filepath.Dir(p); d != root && d != filepath.Dir(d); d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil {
				break
			}
			madeDirs = append(madeDirs, d)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			undo()
			return err
		}
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			return err
		}
		written = append(written, p)
		_, werr := fh.Write(f.Data)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			undo()
			return werr
		}
	}
	return nil
}
