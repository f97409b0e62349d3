// Command flashprep prepares and checks the flash-sale benchmark
// (bench/flashsale.sh). "prep" writes an operator, a product, a live sale
// of -stock units (limit 1 per shopper) and -users signed-in shoppers
// straight into a fresh data directory — sessions are opened directly, not
// through 50,000 argon2 logins — and writes their tokens and the sale id.
// "verify" prints what the sale sold and checks every invariant.
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

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/shop"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: flashprep prep|verify [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "bench/out/flash", "fresh data directory")
	out := fs.String("out", "bench/out", "where to write flash_tokens.txt and flash_sale.txt")
	users := fs.Int("users", 50000, "shoppers")
	stock := fs.Int64("stock", 1000, "units on sale")
	redisURL := fs.String("redis", "", "Redis URL (verify: check Redis too)")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: *data})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	switch os.Args[1] {
	case "prep":
		prep(ctx, a, *out, *users, *stock)
	case "verify":
		verify(ctx, a, *redisURL)
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func prep(ctx context.Context, a *app.App, out string, users int, stock int64) {
	start := time.Now()
	op, err := a.Accounts.CreateWithHash(ctx, "operator1", "Operator", "", accounts.RoleOperator)
	if err != nil {
		log.Fatal(err)
	}
	st, err := a.Shop.CreateStore(ctx, op, shop.StoreInput{Name: "福利社"})
	if err != nil {
		log.Fatal(err)
	}
	p, err := a.Shop.CreateProduct(ctx, op, shop.ProductInput{StoreID: st.ID, Title: "限定口红 Limited lipstick", Fulfilment: "domestic",
		SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 29900, Stock: stock}}})
	if err != nil {
		log.Fatal(err)
	}
	sale, err := a.Flash.Create(ctx, op, flashsale.Input{SKUID: p.SKUs[0].ID, Price: 9900, Stock: stock, PerUserLimit: 1,
		StartsAt: time.Now().Add(-time.Second), EndsAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	tokens := make([]string, 0, users)
	for done := 0; done < users; {
		batch := min(5000, users-done)
		err := a.DB.InTx(ctx, func(ctx context.Context) error {
			for i := done; i < done+batch; i++ {
				u, err := a.Accounts.CreateWithHash(ctx, fmt.Sprintf("shopper%d", i), "Shopper", "", accounts.RoleUser)
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
	write(filepath.Join(out, "flash_tokens.txt"), strings.Join(tokens, "\n")+"\n")
	write(filepath.Join(out, "flash_sale.txt"), sale.ID.String()+"\n")
	fmt.Printf("flashprep: sale %s (%d units, 1 per shopper), %d shoppers signed in, in %v\n", sale.ID, stock, len(tokens),
		time.Since(start).Round(time.Millisecond))
}

func verify(ctx context.Context, a *app.App, redisURL string) {
	var rdb *redis.Client
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			log.Fatal(err)
		}
		rdb = redis.NewClient(opt)
		defer rdb.Close()
	}
	var orders, units, remaining, stock, buyers int64
	r := a.DB.Reader(ctx)
	if err := r.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(quantity), 0), COUNT(DISTINCT user_id) FROM flash_orders").Scan(&orders, &units, &buyers); err != nil {
		log.Fatal(err)
	}
	if err := r.QueryRow(ctx, "SELECT SUM(remaining), SUM(stock) FROM flash_sales").Scan(&remaining, &stock); err != nil {
		log.Fatal(err)
	}
	bad, err := flashsale.Verify(ctx, a.DB, rdb, a.Flash.Config().RedisPrefix)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("invariants: %d orders, %d units to %d shoppers, %d remaining of %d: ", orders, units, buyers, remaining, stock)
	if len(bad) > 0 {
		fmt.Printf("%d VIOLATIONS\n  %s\n", len(bad), strings.Join(bad, "\n  "))
		os.Exit(1)
	}
	fmt.Println("all hold")
}

func write(path, s string) {
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		log.Fatal(err)
	}
}
