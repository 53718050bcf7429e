package main

import (
	"bufio"
	"os"
	"path/filepath"
)

// atomicFile is an output file written under a temporary name in its
// destination directory and renamed to its name by Commit, so that a reader
// never sees it half-written: after a failure, an interrupt or a crash there
// is either the complete file or none (a crash may leave the temporary file,
// named ".<name>.tmp-*", never the output itself).
type atomicFile struct {
	*bufio.Writer
	f    *os.File
	path string
	done bool
}

// createAtomic opens a temporary file beside path.
func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{Writer: bufio.NewWriterSize(f, 1<<20), f: f, path: path}, nil
}

// WriteLarge writes p, and what is buffered before it, to the file without
// copying a large p into the buffer first.
func (a *atomicFile) WriteLarge(p []byte) (int, error) {
	if len(p) < 64<<10 {
		return a.Write(p)
	}
	if err := a.Flush(); err != nil {
		return 0, err
	}
	return a.f.Write(p)
}

// Commit flushes the file, syncs it to disk and renames it to its name.
func (a *atomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	err := a.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if err == nil {
		err = a.f.Chmod(0o644)
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
	}
	return err
}

// Abort closes and removes the temporary file; after Commit it does nothing.
// It is safe to defer.
func (a *atomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}
