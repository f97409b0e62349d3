package campaigns

import (
	"context"
	"errors"
	"sync"

	"github.com/redmark/redmark/internal/apperr"
)

// Group commit (SQLite). SQLite has one writer, so concurrent votes queue
// for it anyway; rather than one transaction each, one goroutine takes the
// queued votes in batches and writes each batch in one transaction, every
// vote inside its own savepoint: a refused vote (no votes left, excluded…)
// is rolled back to its savepoint alone, and the batch commits the rest.
// A vote is answered only after its batch committed, so a 201 is durable.
// PostgreSQL keeps one transaction per vote: its writers run in parallel,
// and batches locking voters' rows in arbitrary order could deadlock.

// maxBatch bounds the votes in one transaction (embedded mode: a vote is
// eight statements); landBatch in Redis mode, where a vote is one row.
const (
	maxBatch  = 256
	landBatch = 2048
)

type pending struct {
	j       *job
	err     error
	refused error // Redis mode: the database refused the vote (land)
	done    chan struct{}
}

// grouper queues votes for one writer goroutine, which hands them to write
// in batches of at most max; embedded SQLite (writeVotes) and the Redis
// mode's lander (land) share it.
type grouper struct {
	write func([]*pending)
	max   int
	once  sync.Once
	queue chan *pending
	quit  chan struct{}
	wg    sync.WaitGroup
}

func (g *grouper) start() {
	g.once.Do(func() {
		g.queue, g.quit = make(chan *pending, 4*g.max), make(chan struct{})
		g.wg.Add(1)
		go g.loop()
	})
}

// submit queues j and waits until its batch is committed or rolled back.
func (g *grouper) submit(j *job) error {
	g.start()
	p := &pending{j: j, done: make(chan struct{})}
	select {
	case g.queue <- p:
	case <-g.quit:
		return apperr.Unavailable("the server is shutting down")
	}
	<-p.done
	return p.err
}

func (g *grouper) loop() {
	defer g.wg.Done()
	batch := make([]*pending, 0, g.max)
	for {
		select {
		case p := <-g.queue:
			batch = append(batch[:0], p)
		case <-g.quit:
			g.drain()
			return
		}
	more:
		for len(batch) < g.max {
			select {
			case p := <-g.queue:
				batch = append(batch, p)
			default:
				break more
			}
		}
		g.write(batch)
	}
}

// drain answers what is still queued at shutdown.
func (g *grouper) drain() {
	for {
		select {
		case p := <-g.queue:
			g.write([]*pending{p})
		default:
			return
		}
	}
}

// writeVotes writes a batch of embedded-mode votes in one transaction.
func (s *Service) writeVotes(batch []*pending) {
	ctx := context.Background()
	d := s.db
	err := d.InTx(ctx, func(ctx context.Context) error {
		w := d.Writer(ctx)
		for _, p := range batch {
			p.err, p.j.replayed = nil, false
			if _, err := w.Exec(ctx, "SAVEPOINT vote"); err != nil {
				return err
			}
			err := s.apply(ctx, p.j)
			var ae *apperr.Error
			if errors.As(err, &ae) {
				p.err = err // refused: undo this vote only
				if _, err := w.Exec(ctx, "ROLLBACK TO SAVEPOINT vote"); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			if _, err := w.Exec(ctx, "RELEASE SAVEPOINT vote"); err != nil {
				return err
			}
		}
		return nil
	})
	for _, p := range batch {
		if err != nil {
			p.err = err
		}
		close(p.done)
	}
}

// stop ends the writer after answering what is queued.
func (g *grouper) stop() {
	g.once.Do(func() { g.quit = make(chan struct{}) }) // never started: nothing to stop
	select {
	case <-g.quit:
	default:
		close(g.quit)
	}
	g.wg.Wait()
}
