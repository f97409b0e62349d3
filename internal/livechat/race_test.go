//go:build race

package livechat

const raceOn = true
