//go:build !race

package livechat

const raceOn = false
