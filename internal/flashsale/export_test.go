package flashsale

import "time"

// SetClock moves the service's clock (tests of the sale window).
func SetClock(s *Service, now func() time.Time) { s.now = now }
