package seed

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Covers are drawn, not downloaded: a two-colour gradient with a few soft
// circles, blobs and stripes in a palette per category. Shapes are kept in
// coordinates relative to the image, so the thumbnail is the same picture
// rendered smaller rather than a resampled copy.

var palettes = [numCategories][]color.RGBA{
	fashion:  {{0xf3, 0xe9, 0xdc, 255}, {0xd9, 0xbf, 0xa0, 255}, {0xb0, 0x8b, 0x6e, 255}, {0xe8, 0xc4, 0xc0, 255}, {0x6b, 0x5b, 0x4e, 255}},
	skincare: {{0xe8, 0xf4, 0xf1, 255}, {0xbf, 0xe3, 0xdb, 255}, {0xf7, 0xd9, 0xdf, 255}, {0x9f, 0xcf, 0xd6, 255}, {0xff, 0xfa, 0xf3, 255}},
	makeup:   {{0xf6, 0xc6, 0xc3, 255}, {0xd9, 0x7b, 0x86, 255}, {0xa8, 0x4a, 0x5c, 255}, {0xf1, 0x9a, 0x7e, 255}, {0x8e, 0x5a, 0x7a, 255}},
	travel:   {{0x8e, 0xc5, 0xe8, 255}, {0xf2, 0xd4, 0x9b, 255}, {0xf2, 0x8c, 0x5e, 255}, {0x2f, 0x7f, 0x8c, 255}, {0xfd, 0xf0, 0xe0, 255}},
	fitness:  {{0xc8, 0xf0, 0x6e, 255}, {0x3f, 0xc1, 0xc9, 255}, {0x1d, 0x2d, 0x50, 255}, {0xf5, 0xf5, 0xf0, 255}, {0xff, 0x7b, 0x54, 255}},
	food:     {{0xe0, 0x4f, 0x3c, 255}, {0xf2, 0xb6, 0x3d, 255}, {0xfb, 0xef, 0xd5, 255}, {0x7a, 0x8b, 0x3c, 255}, {0x8c, 0x4a, 0x2f, 255}},
	film:     {{0x1e, 0x24, 0x3b, 255}, {0x6b, 0x1f, 0x2e, 255}, {0xe0, 0xa4, 0x58, 255}, {0x3b, 0x3b, 0x40, 255}, {0xc9, 0xb7, 0x9c, 255}},
}

type shapeKind uint8

const (
	disc shapeKind = iota
	ring
	stripes
)

type shape struct {
	kind            shapeKind
	x, y, r         float64 // centre and radius relative to the image width
	col             color.RGBA
	alpha           float64
	angle, period   float64 // stripes
	width, softEdge float64
}

type scene struct {
	from, to color.RGBA
	dx, dy   float64 // gradient direction
	shapes   []shape
}

// Aspect ratios of covers: mostly 3:4 portrait like phone photos.
var aspects = []struct{ w, h int }{{3, 4}, {3, 4}, {3, 4}, {3, 4}, {3, 4}, {1, 1}, {1, 1}, {4, 3}}

func newScene(r *rand.Rand, c category) scene {
	p := palettes[c]
	i := r.IntN(len(p))
	j := (i + 1 + r.IntN(len(p)-1)) % len(p)
	a := r.Float64() * 2 * math.Pi
	s := scene{from: p[i], to: p[j], dx: math.Cos(a), dy: math.Sin(a)}
	n := 2 + r.IntN(4)
	for range n {
		sh := shape{
			x: r.Float64(), y: r.Float64() * 1.3, r: 0.08 + r.Float64()*0.35,
			col: p[r.IntN(len(p))], alpha: 0.35 + r.Float64()*0.5, softEdge: 0.004 + r.Float64()*0.05,
		}
		switch k := r.IntN(10); {
		case k < 6:
			sh.kind = disc
		case k < 9:
			sh.kind = ring
			sh.width = 0.01 + r.Float64()*0.04
		default:
			sh.kind = stripes
			sh.angle = r.Float64() * math.Pi
			sh.period = 0.05 + r.Float64()*0.12
			sh.width = sh.period * (0.2 + r.Float64()*0.3)
			sh.alpha *= 0.5
		}
		s.shapes = append(s.shapes, sh)
	}
	return s
}

// blend moves channel a towards b by w/256.
func blend(a, b uint8, w int) uint8 { return uint8(int(a) + (int(b)-int(a))*w>>8) }

// coverage is how much of the shape covers point (u, v), both relative to
// the image width, from 0 to 1 with a soft edge. cos and sin are those of
// the stripes' angle.
func (sh shape) coverage(u, v, cos, sin float64) float64 {
	switch sh.kind {
	case disc:
		dx, dy := u-sh.x, v-sh.y
		return smooth((sh.r - math.Sqrt(dx*dx+dy*dy)) / sh.softEdge)
	case ring:
		dx, dy := u-sh.x, v-sh.y
		d := math.Abs(math.Sqrt(dx*dx+dy*dy) - sh.r)
		return smooth((sh.width - d) / sh.softEdge)
	default:
		t := u*cos + v*sin
		m := t - sh.period*math.Floor(t/sh.period)
		return smooth((sh.width - m) / 0.002)
	}
}

func smooth(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// render draws the scene at w×h pixels: the gradient from a lookup table,
// then each shape blended in over its bounding box (the whole picture for
// stripes).
func (s scene) render(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	const steps = 1024
	var lut [steps + 1][3]uint8
	for i := range lut {
		k := i * 256 / steps
		lut[i] = [3]uint8{blend(s.from.R, s.to.R, k), blend(s.from.G, s.to.G, k), blend(s.from.B, s.to.B, k)}
	}
	fw, fh := float64(w), float64(h)
	ext := math.Abs(s.dx)*fw + math.Abs(s.dy)*fh
	for y := range h {
		t := 0.5 + ((-fw/2)*s.dx+(float64(y)-fh/2)*s.dy)/ext
		dt := s.dx / ext
		row := img.Pix[y*img.Stride:]
		for x := range w {
			c := lut[int(math.Max(0, math.Min(1, t))*steps)]
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c[0], c[1], c[2], 255
			t += dt
		}
	}
	for _, sh := range s.shapes {
		x0, y0, x1, y1 := 0, 0, w, h
		if sh.kind != stripes {
			reach := sh.r + sh.width + sh.softEdge
			x0, x1 = max(0, int((sh.x-reach)*fw)), min(w, int((sh.x+reach)*fw)+1)
			y0, y1 = max(0, int((sh.y-reach)*fw)), min(h, int((sh.y+reach)*fw)+1)
		}
		cos, sin := math.Cos(sh.angle), math.Sin(sh.angle)
		for y := y0; y < y1; y++ {
			row := img.Pix[y*img.Stride:]
			v := float64(y) / fw
			for x := x0; x < x1; x++ {
				a := int(sh.coverage(float64(x)/fw, v, cos, sin) * sh.alpha * 256)
				if a <= 0 {
					continue
				}
				p := row[4*x : 4*x+3]
				p[0], p[1], p[2] = blend(p[0], sh.col.R, a), blend(p[1], sh.col.G, a), blend(p[2], sh.col.B, a)
			}
		}
	}
	return img
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes(), err
}
