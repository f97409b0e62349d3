// Command voteprep prepares and checks the voting benchmark (bench/votes.sh).
// "prep" writes an operator, a live campaign (one category, -nominees free
// entries, -daily votes per user) and -users signed-in voters straight into
// a fresh data directory — sessions are opened directly, not through
// argon2 logins — and writes their tokens, the campaign and the nominees.
// "verify" prints the votes and checks every invariant (campaigns.Verify);
// with -redis also that every vote Redis accepted landed and that the Redis
// tallies equal the database's (campaigns.VerifyRedis).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: voteprep prep|verify [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "bench/out/votes", "fresh data directory")
	out := fs.String("out", "bench/out", "where to write vote_tokens.txt, vote_campaign.txt and vote_nominees.txt")
	users := fs.Int("users", 20000, "voters")
	nominees := fs.Int("nominees", 10, "nominees")
	daily := fs.Int("daily", 100, "votes per voter per day")
	redisURL := fs.String("redis", "", "verify: the server's Redis URL (Redis mode)")
	redisPrefix := fs.String("redis-prefix", "", "verify: the server's --redis-prefix")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: *data, RedisURL: *redisURL, RedisPrefix: *redisPrefix})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	switch os.Args[1] {
	case "prep":
		prep(ctx, a, *out, *users, *nominees, *daily)
	case "verify":
		verify(ctx, a)
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func prep(ctx context.Context, a *app.App, out string, users, nominees, daily int) {
	start := time.Now()
	op, err := a.Accounts.CreateWithHash(ctx, "operator1", "Operator", "", accounts.RoleOperator)
	if err != nil {
		log.Fatal(err)
	}
	c, err := a.Campaigns.Create(ctx, op, campaigns.Input{Title: "全球大赏 benchmark", StartsAt: time.Now().Add(-time.Second),
		EndsAt: time.Now().Add(24 * time.Hour), Rules: campaigns.Rules{DailyVotes: daily}})
	if err != nil {
		log.Fatal(err)
	}
	cat, err := a.Campaigns.AddCategory(ctx, op, c.ID, "彩妆榜")
	if err != nil {
		log.Fatal(err)
	}
	var noms []string
	for i := range nominees {
		n, err := a.Campaigns.AddNominee(ctx, op, c.ID, campaigns.NomineeInput{Category: cat.ID, Kind: campaigns.KindFree, Title: fmt.Sprintf("entry %d", i)})
		if err != nil {
			log.Fatal(err)
		}
		noms = append(noms, n.ID.String())
	}
	tokens := make([]string, 0, users)
	for done := 0; done < users; {
		batch := min(5000, users-done)
		err := a.DB.InTx(ctx, func(ctx context.Context) error {
			for i := done; i < done+batch; i++ {
				u, err := a.Accounts.CreateWithHash(ctx, fmt.Sprintf("voter%d", i), "Voter", "", accounts.RoleUser)
				if err != nil {
					return err
				}
				tok, err := a.Accounts.NewSession(ctx, u.ID, "bench")
				if err != nil {
					return err
				}
				tokens = append(tokens, tok)
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
		done += batch
	}
	write(filepath.Join(out, "vote_tokens.txt"), strings.Join(tokens, "\n")+"\n")
	write(filepath.Join(out, "vote_campaign.txt"), c.ID.String()+"\n")
	write(filepath.Join(out, "vote_nominees.txt"), strings.Join(noms, "\n")+"\n")
	fmt.Printf("voteprep: campaign %s (%d nominees, %d votes a day each), %d voters signed in, in %v\n", c.ID, nominees, daily,
		len(tokens), time.Since(start).Round(time.Millisecond))
}

func verify(ctx context.Context, a *app.App) {
	cids, err := db.IDs(a.DB.Reader(ctx).Query(ctx, "SELECT id FROM campaigns"))
	if err != nil {
		log.Fatal(err)
	}
	for _, cid := range cids {
		var votes, tally, voters int64
		r := a.DB.Reader(ctx)
		if err := r.QueryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM campaign_votes WHERE campaign_id = ?", cid).Scan(&votes, &voters); err != nil {
			log.Fatal(err)
		}
		if err := r.QueryRow(ctx, "SELECT COALESCE(SUM(votes), 0) FROM campaign_nominees WHERE campaign_id = ?", cid).Scan(&tally); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("invariants: %d votes from %d voters, tallies sum to %d: ", votes, voters, tally)
		if err := campaigns.Verify(ctx, a.DB, cid); err != nil {
			fmt.Println("VIOLATION:", err)
			os.Exit(1)
		}
		if err := a.Campaigns.VerifyRedis(ctx, cid); err != nil {
			fmt.Println("VIOLATION (Redis):", err)
			os.Exit(1)
		}
		if a.Campaigns.Redis() {
			fmt.Print("(Redis agrees) ")
		}
		fmt.Println("all hold")
	}
}

func write(path, s string) {
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		log.Fatal(err)
	}
}
