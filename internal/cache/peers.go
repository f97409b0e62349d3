package cache

// Peers carries invalidations between the servers sharing a database
// (internal/peers has the Redis implementation). Publish returns once the
// message is handed to the channel, so a write's response leaves after its
// invalidation is on its way; delivery to the other servers is asynchronous
// and its delay is measured (docs/cluster.md).
type Peers interface {
	// Publish tells the other servers that key of the cache called name
	// changed; the empty key means every key.
	Publish(name, key string)
	// Subscribe calls forget for the keys of cache name that other servers
	// published.
	Subscribe(name string, forget func(key string))
}

// sharing is a cache's link to its peers.
type sharing[K comparable] struct {
	peers Peers
	name  string
	enc   func(K) string
}

// Share makes c publish its Forgets, Updates and Purges to peers under name
// and apply the ones other servers publish. enc and dec turn keys into text
// and back; a key that does not decode is ignored.
func (c *Cache[K, V]) Share(p Peers, name string, enc func(K) string, dec func(string) (K, bool)) {
	c.shared = &sharing[K]{peers: p, name: name, enc: enc}
	p.Subscribe(name, func(key string) {
		if key == "" {
			c.purge()
			return
		}
		if k, ok := dec(key); ok {
			c.forget(k)
		}
	})
}

func (s *sharing[K]) publish(k K) {
	if s != nil {
		s.peers.Publish(s.name, s.enc(k))
	}
}

func (s *sharing[K]) publishAll() {
	if s != nil {
		s.peers.Publish(s.name, "")
	}
}
