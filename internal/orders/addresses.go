package orders

import (
	"context"
	"database/sql"
	"errors"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxAddresses bounds a user's address book.
const MaxAddresses = 20

// BookAddress is an entry of a user's address book.
type BookAddress struct {
	ID id.ID `json:"id"`
	Address
	Default bool `json:"default"`
}

// AddressInput is the body of POST and PATCH /me/addresses: the address
// and whether it becomes the default (the first one always does).
type AddressInput struct {
	Address
	Default bool `json:"default"`
}

const addrCols = "id, name, phone, country, region, city, district, line, postcode, is_default"

func scanAddr(sc interface{ Scan(...any) error }) (BookAddress, error) {
	var a BookAddress
	var def int
	err := sc.Scan(&a.ID, &a.Name, &a.Phone, &a.Country, &a.Region, &a.City, &a.District, &a.Line, &a.Postcode, &def)
	a.Default = def == 1
	return a, err
}

// Addresses lists uid's address book, the default first, then newest.
func (s *Service) Addresses(ctx context.Context, uid id.ID) ([]BookAddress, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+addrCols+" FROM user_addresses WHERE user_id = ? ORDER BY is_default DESC, id DESC", uid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BookAddress{}
	for rows.Next() {
		a, err := scanAddr(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// BookEntry returns one of uid's addresses; anyone else's is not found.
func (s *Service) BookEntry(ctx context.Context, uid, aid id.ID) (BookAddress, error) {
	a, err := scanAddr(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+addrCols+" FROM user_addresses WHERE id = ? AND user_id = ?", aid, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("address")
	}
	return a, err
}

// AddAddress adds to uid's book; the first address becomes the default.
func (s *Service) AddAddress(ctx context.Context, uid id.ID, in AddressInput) (BookAddress, error) {
	if err := in.check(); err != nil {
		return BookAddress{}, err
	}
	a := BookAddress{ID: id.New(), Address: in.Address, Default: in.Default}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var n int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM user_addresses WHERE user_id = ?", uid).Scan(&n); err != nil {
			return err
		}
		if n >= MaxAddresses {
			return apperr.Invalid("an address book holds at most %d addresses", MaxAddresses)
		}
		a.Default = a.Default || n == 0
		if err := s.clearDefault(ctx, uid, a.Default); err != nil {
			return err
		}
		now := db.Now()
		_, err := w.Exec(ctx, `INSERT INTO user_addresses (id, user_id, name, phone, country, region, city, district, line, postcode,
			is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, uid, a.Name, a.Phone, a.Country, a.Region, a.City, a.District, a.Line, a.Postcode, flag(a.Default), now, now)
		return err
	})
	return a, err
}

// UpdateAddress replaces one of uid's addresses. Default false leaves the
// default where it is (unset it by making another address the default).
// Ownership is checked before the input.
func (s *Service) UpdateAddress(ctx context.Context, uid, aid id.ID, in AddressInput) (BookAddress, error) {
	if _, err := s.BookEntry(ctx, uid, aid); err != nil {
		return BookAddress{}, err
	}
	if err := in.check(); err != nil {
		return BookAddress{}, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.clearDefault(ctx, uid, in.Default); err != nil {
			return err
		}
		res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE user_addresses SET name = ?, phone = ?, country = ?, region = ?, city = ?,
			district = ?, line = ?, postcode = ?, is_default = CASE WHEN ? = 1 THEN 1 ELSE is_default END, updated_at = ?
			WHERE id = ? AND user_id = ?`, in.Name, in.Phone, in.Country, in.Region, in.City, in.District, in.Line, in.Postcode,
			flag(in.Default), db.Now(), aid, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("address") // deleted meanwhile
		}
		return nil
	})
	if err != nil {
		return BookAddress{}, err
	}
	return s.BookEntry(ctx, uid, aid)
}

// SetDefaultAddress makes one of uid's addresses the default.
func (s *Service) SetDefaultAddress(ctx context.Context, uid, aid id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		// Lock the user's rows first (both databases), then check ownership.
		if err := s.clearDefault(ctx, uid, true); err != nil {
			return err
		}
		res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE user_addresses SET is_default = 1 WHERE id = ? AND user_id = ?", aid, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("address")
		}
		return nil
	})
}

// DeleteAddress removes one of uid's addresses; when it was the default,
// the newest remaining one takes over so checkout still has a default.
func (s *Service) DeleteAddress(ctx context.Context, uid, aid id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, "DELETE FROM user_addresses WHERE id = ? AND user_id = ?", aid, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("address")
		}
		_, err = w.Exec(ctx, `UPDATE user_addresses SET is_default = 1 WHERE id = (SELECT MAX(id) FROM user_addresses WHERE user_id = ?)
			AND NOT EXISTS (SELECT 1 FROM user_addresses WHERE user_id = ? AND is_default = 1)`, uid, uid)
		return err
	})
}

// DefaultAddress returns uid's default address; ok is false when the book
// is empty.
func (s *Service) DefaultAddress(ctx context.Context, uid id.ID) (BookAddress, bool, error) {
	a, err := scanAddr(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+addrCols+" FROM user_addresses WHERE user_id = ? AND is_default = 1", uid))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// clearDefault unsets uid's default before another address takes it; it
// also takes the write locks on the user's rows, so racing changes of the
// default queue up instead of colliding on the unique index.
func (s *Service) clearDefault(ctx context.Context, uid id.ID, clear bool) error {
	if !clear {
		return nil
	}
	_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE user_addresses SET is_default = 0 WHERE user_id = ?", uid)
	return err
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// resolveAddress fills req.Address from the buyer's book when the request
// names an address_id (the order keeps a copy); someone else's address is
// not found.
func (s *Service) resolveAddress(ctx context.Context, uid id.ID, req *CreateRequest) error {
	if req.AddressID == 0 {
		return nil
	}
	a, err := s.BookEntry(ctx, uid, req.AddressID)
	if err != nil {
		return err
	}
	req.Address = a.Address
	return nil
}

// ShippingAddress is the address a purchase outside checkout (a flash
// sale) ships to: the given one, else the book entry aid, else the
// buyer's default; an empty book and no address is a 400.
func (s *Service) ShippingAddress(ctx context.Context, uid id.ID, given *Address, aid id.ID) (Address, error) {
	switch {
	case aid != 0:
		a, err := s.BookEntry(ctx, uid, aid)
		return a.Address, err
	case given != nil:
		a := *given
		return a, a.check()
	}
	a, ok, err := s.DefaultAddress(ctx, uid)
	if err == nil && !ok {
		err = apperr.Invalid("add a shipping address (address or address_id), or save one in your address book")
	}
	return a.Address, err
}
