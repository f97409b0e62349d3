// Command prep picks benchmark inputs from a seeded data directory: note
// ids to read and like, and signed-in users (who follow someone) for the
// feed, written as plain files the wrk scripts read.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/redmark/redmark/internal/db"
)

func main() {
	data := flag.String("data", "bench/out/data", "seeded data directory")
	dsn := flag.String("db", "", "PostgreSQL DSN instead of the data directory's SQLite file")
	url := flag.String("url", "http://127.0.0.1:8089", "running server")
	password := flag.String("password", "password123", "password of seeded users")
	out := flag.String("out", "bench/out", "where to write ids.txt and tokens.txt")
	notes := flag.Int("notes", 20000, "note ids to sample")
	users := flag.Int("users", 200, "users to sign in")
	flag.Parse()
	ctx := context.Background()
	if *dsn == "" {
		*dsn = filepath.Join(*data, "redmark.db")
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	// Sample ids spread over the whole table (not just the newest) by
	// stepping through the id order.
	var total int
	if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notes WHERE status = 'published'").Scan(&total); err != nil {
		log.Fatal(err)
	}
	step := max(1, total / *notes)
	ids := lines(ctx, d, `SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM notes WHERE status = 'published') t
		WHERE rn % ? = 0 LIMIT ?`, step, *notes)
	write(filepath.Join(*out, "ids.txt"), ids)
	names := lines(ctx, d, `SELECT u.username FROM users u WHERE u.following_count > 0 ORDER BY u.id LIMIT ?`, *users)
	var tokens []string
	for _, n := range names {
		body, _ := json.Marshal(map[string]string{"username": n, "password": *password})
		res, err := http.Post(*url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		var r struct {
			Token string `json:"token"`
		}
		json.NewDecoder(res.Body).Decode(&r)
		res.Body.Close()
		if r.Token == "" {
			log.Fatalf("login %s: status %d", n, res.StatusCode)
		}
		tokens = append(tokens, r.Token)
	}
	write(filepath.Join(*out, "tokens.txt"), tokens)
	fmt.Printf("prep: %d note ids (of %d), %d signed-in users\n", len(ids), total, len(tokens))
}

func lines(ctx context.Context, d *db.DB, q string, args ...any) []string {
	rows, err := d.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			log.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func write(path string, l []string) {
	if err := os.WriteFile(path, []byte(strings.Join(l, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}
