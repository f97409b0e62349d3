package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/redmark/redmark/internal/app"
)

// adminCmd holds operator tooling; create-operator gives a fresh install
// (no demo) its first operator, who then grants roles from /console.
func adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create-operator" {
		return errors.New("usage: redmark admin create-operator --username NAME [--promote] [--data DIR] [--db DSN]")
	}
	fs := flag.NewFlagSet("admin create-operator", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	username := fs.String("username", "", "the operator's username")
	promote := fs.Bool("promote", false, "make an existing account an operator (no password asked)")
	fs.Parse(args[1:])
	if *username == "" {
		return errors.New("--username is required")
	}
	var password string
	if !*promote {
		// From stdin, never from a flag, so it stays out of shell history
		// and the process list.
		fmt.Fprint(os.Stderr, "password (min 8 characters): ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read the password from stdin: %w", err)
		}
		if password = strings.TrimRight(line, "\r\n"); password == "" {
			return errors.New("empty password")
		}
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.CreateOperator(ctx, *username, password)
	if err != nil {
		return err
	}
	fmt.Printf("operator %s (%s) is ready; sign in and open /console\n", u.Username, u.ID)
	return nil
}
