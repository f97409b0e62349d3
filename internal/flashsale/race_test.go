//go:build race

package flashsale_test

const raceOn = true
