package media

// Store keeps media files by key.
type Store interface{}

// LocalStore keeps files under a directory.
type LocalStore struct{ dir string }

func NewLocalStore(dir string) (*LocalStore, error) { return &LocalStore{dir: dir}, nil }
