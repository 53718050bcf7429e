package report

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// base is the colour cycle of the segments (Tableau 10).
var base = []color.RGBA{
	{0x4E, 0x79, 0xA7, 0xFF}, {0xF2, 0x8E, 0x2B, 0xFF}, {0xE1, 0x57, 0x59, 0xFF},
	{0x76, 0xB7, 0xB2, 0xFF}, {0x59, 0xA1, 0x4F, 0xFF}, {0xED, 0xC9, 0x48, 0xFF},
	{0xB0, 0x7A, 0xA1, 0xFF}, {0xFF, 0x9D, 0xA7, 0xFF}, {0x9C, 0x75, 0x5F, 0xFF},
	{0xBA, 0xB0, 0xAC, 0xFF},
}

// maxColoured is how many segments a scatter colours; the others are grey.
const maxColoured = 10

var grey = color.RGBA{0xC8, 0xC8, 0xC8, 0xFF}

// segColor returns the colour of the k-th segment (largest first): distinct
// for every k, so a bar can be found by its colour.
func segColor(k int) color.RGBA {
	c := base[k%len(base)]
	c.B ^= byte(k / len(base))
	return c
}

// pointColor returns the colour of the k-th segment in a scatter.
func pointColor(k int) color.RGBA {
	if k < maxColoured {
		return base[k]
	}
	return grey
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

// newPlot returns a plot with the report's fonts and titles.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	for _, s := range []*draw.TextStyle{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		s.Font.Variant = "Sans"
	}
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	return p
}

// svgOf renders p to an SVG element (without XML prolog) of w × h.
func svgOf(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return s, nil
}

// sizeBars draws, for each segment top to bottom, its share of accounts
// (solid) above its share of revenue (light).
type sizeBars struct {
	names    []string
	counts   []int
	shares   []float64
	revenues []float64
	colors   []color.RGBA
	style    draw.TextStyle
}

func (b *sizeBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(b.names)
	half := (trY(1) - trY(0)) * 0.38
	for i := range b.names {
		y := trY(float64(n - 1 - i))
		x0 := trX(0)
		c.SetColor(b.colors[i])
		c.Fill(rect(x0, y, trX(100*b.shares[i]), y+half))
		light := b.colors[i]
		light.A = 0x70
		// color.RGBA is alpha-premultiplied.
		light.R, light.G, light.B = byte(int(light.R)*0x70/0xFF), byte(int(light.G)*0x70/0xFF), byte(int(light.B)*0x70/0xFF)
		c.SetColor(light)
		c.Fill(rect(x0, y-half, trX(100*b.revenues[i]), y))
		st := b.style
		st.XAlign, st.YAlign = draw.XLeft, draw.YCenter
		c.FillText(st, vg.Point{X: trX(100*b.shares[i]) + vg.Points(3), Y: y + half/2}, fmt.Sprintf("%s accounts (%s)", group(b.counts[i]), pct(b.shares[i])))
		c.FillText(st, vg.Point{X: trX(100*b.revenues[i]) + vg.Points(3), Y: y - half/2}, pct(b.revenues[i])+" of revenue")
	}
}

func (b *sizeBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	m := 0.0
	for i := range b.shares {
		m = max(m, b.shares[i], b.revenues[i])
	}
	return 0, math.Max(100*m*1.45, 1), -0.5, float64(len(b.names)) - 0.5
}

func rect(x0, y0, x1, y1 vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x0, Y: y0})
	p.Line(vg.Point{X: x1, Y: y0})
	p.Line(vg.Point{X: x1, Y: y1})
	p.Line(vg.Point{X: x0, Y: y1})
	p.Close()
	return p
}

// maxBars is the most segments the sizes chart draws.
const maxBars = 30

// sizesChart draws the sizes of l's segments, with data-segment and
// data-count on each account bar.
func sizesChart(l *layer) (string, error) {
	segs := l.profile.Segments
	if len(segs) > maxBars {
		segs = segs[:maxBars]
	}
	title := "Segment sizes: share of accounts and of revenue"
	if len(segs) < len(l.profile.Segments) {
		title = fmt.Sprintf("The %d largest of %d segments: share of accounts and of revenue", len(segs), len(l.profile.Segments))
	}
	p := newPlot(title, "% of all accounts (solid) · % of revenue (light)", "")
	b := &sizeBars{style: p.X.Tick.Label}
	names := make([]string, len(segs))
	for i, sp := range segs {
		b.names = append(b.names, sp.Segment.Name)
		b.counts = append(b.counts, sp.Accounts)
		b.shares = append(b.shares, sp.Share)
		b.revenues = append(b.revenues, sp.RevenueShare)
		b.colors = append(b.colors, segColor(i))
		names[len(segs)-1-i] = shorten(cmpOr(sp.Segment.Name, sp.Segment.ID), 40)
	}
	p.Add(b)
	p.NominalY(names...)
	p.Add(plotter.NewGrid())
	svg, err := svgOf(p, 18*vg.Centimeter, vg.Length(2.6+0.95*float64(len(segs)))*vg.Centimeter)
	if err != nil {
		return "", err
	}
	for i, sp := range segs {
		from := fmt.Sprintf(` style="fill:%s" />`, hexColor(segColor(i)))
		to := fmt.Sprintf(` style="fill:%s" class="bar" data-segment="%s" data-count="%d"><title>%s: %s accounts (%s), %s of revenue</title></path>`,
			hexColor(segColor(i)), html.EscapeString(sp.Segment.ID), sp.Accounts,
			html.EscapeString(sp.Segment.Name), group(sp.Accounts), pct(sp.Share), pct(sp.RevenueShare))
		svg = strings.Replace(svg, from, to, 1)
	}
	return svg, nil
}

// scatterChart draws points coloured by segment index seg.
func scatterChart(title, xl, yl string, x, y []float64, seg []int, guides bool) (string, error) {
	p := newPlot(title, xl, yl)
	groups := map[int]plotter.XYs{}
	top := 0
	for k := range x {
		g := min(seg[k], maxColoured)
		groups[g] = append(groups[g], plotter.XY{X: x[k], Y: y[k]})
		top = max(top, g)
	}
	if guides {
		for _, v := range []float64{0.5} {
			vl, _ := plotter.NewLine(plotter.XYs{{X: v, Y: 0}, {X: v, Y: 1}})
			hl, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: v}, {X: 1, Y: v}})
			for _, l := range []*plotter.Line{vl, hl} {
				l.Color = color.Gray{0x99}
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				p.Add(l)
			}
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	}
	// Grey first, then the smaller segments over the larger.
	order := []int{maxColoured}
	for g := top; g >= 0; g-- {
		if g < maxColoured {
			order = append(order, g)
		}
	}
	for _, g := range order {
		pts, ok := groups[g]
		if !ok {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return "", err
		}
		s.GlyphStyle.Color = pointColor(g)
		s.GlyphStyle.Radius = vg.Points(1.5)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(s)
	}
	return svgOf(p, 16*vg.Centimeter, 11*vg.Centimeter)
}

// paretoChart draws the Pareto curve of value.
func paretoChart(pa *pareto) (string, error) {
	p := newPlot(fmt.Sprintf("Pareto curve of value: the top 20%% of accounts hold %s", pct(pa.top20)), "share of accounts, highest value first", "cumulative share of value")
	xy := make(plotter.XYs, len(pa.x))
	for i := range pa.x {
		xy[i] = plotter.XY{X: pa.x[i], Y: pa.y[i]}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return "", err
	}
	l.Color, l.Width = base[0], vg.Points(2)
	eq, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	eq.Color, eq.Dashes = color.Gray{0x99}, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(plotter.NewGrid(), eq, l)
	p.Legend.Add("value", l)
	p.Legend.Add("equal shares", eq)
	p.Legend.Top, p.Legend.Left = false, false
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	return svgOf(p, 16*vg.Centimeter, 11*vg.Centimeter)
}

// gainsCharts draws the cumulative gains curve and the lift per bin.
func gainsCharts(l *layer) (gains, lift string, err error) {
	g := l.gains
	p := newPlot(fmt.Sprintf("Cumulative gains: the top %s of scores hold %s of conversions", pct(g[0].CumShare), pct(g[0].CumGain)), "share of accounts, highest p_convert first", "share of all conversions")
	xy := plotter.XYs{{}}
	for _, r := range g {
		xy = append(xy, plotter.XY{X: r.CumShare, Y: r.CumGain})
	}
	ln, lp, err := plotter.NewLinePoints(xy)
	if err != nil {
		return "", "", err
	}
	ln.Color, ln.Width, lp.Color = base[0], vg.Points(2), base[0]
	eq, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	eq.Color, eq.Dashes = color.Gray{0x99}, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(plotter.NewGrid(), eq, ln, lp)
	p.Legend.Add("model", ln)
	p.Legend.Add("random", eq)
	p.Legend.Top, p.Legend.Left = false, false
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	if gains, err = svgOf(p, 16*vg.Centimeter, 11*vg.Centimeter); err != nil {
		return "", "", err
	}
	q := newPlot(fmt.Sprintf("Lift per bin: bin 1 converts %.1f× the average", g[0].Lift), "bin of equal size, highest p_convert first", "lift (conversion rate ÷ average)")
	vals := make(plotter.Values, len(g))
	names := make([]string, len(g))
	for i, r := range g {
		vals[i], names[i] = r.Lift, strconv.Itoa(r.Bin)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(18))
	if err != nil {
		return "", "", err
	}
	bars.Color, bars.LineStyle.Width = base[1], 0
	one, _ := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(g)) - 0.5, Y: 1}})
	one.Color, one.Dashes = color.Gray{0x66}, []vg.Length{vg.Points(4), vg.Points(3)}
	q.Add(plotter.NewGrid(), bars, one)
	q.NominalX(names...)
	q.Y.Min = 0
	lift, err = svgOf(q, 16*vg.Centimeter, 11*vg.Centimeter)
	return gains, lift, err
}

// migration is the grid of a migration matrix, coloured by row share.
type migration struct {
	m    [][]int
	rows []int
}

func (g migration) Dims() (c, r int) { return len(g.m[0]), len(g.m) }
func (g migration) Z(c, r int) float64 {
	row := len(g.m) - 1 - r
	if g.rows[row] == 0 {
		return 0
	}
	return float64(g.m[row][c]) / float64(g.rows[row])
}
func (g migration) X(c int) float64 { return float64(c) }
func (g migration) Y(r int) float64 { return float64(r) }

// blues is a light-to-mid blue palette under black text.
type blues int

func (n blues) Colors() []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{byte(0xF7 + t*(0x4A-0xF7)), byte(0xFB + t*(0x98-0xFB)), byte(0xFF + t*(0xD0-0xFF)), 0xFF}
	}
	return out
}

// heatChart draws the migration matrix of c.
func heatChart(c *comparisonData) (string, error) {
	cmp := c.c
	g := migration{m: cmp.Migration, rows: make([]int, len(cmp.Migration))}
	for i, row := range cmp.Migration {
		for _, v := range row {
			g.rows[i] += v
		}
	}
	p := newPlot(fmt.Sprintf("Migration: adjusted Rand index %.3f, %s of %s accounts moved", cmp.AdjustedRand, group(cmp.Moved), group(cmp.Accounts)), "segment after", "segment before")
	hm := plotter.NewHeatMap(g, blues(64))
	hm.Min, hm.Max = 0, 1
	p.Add(hm)
	nb, na := len(cmp.Before), len(cmp.After)
	if nb*na <= 400 {
		var lab plotter.XYLabels
		for i, row := range cmp.Migration {
			for j, v := range row {
				if v > 0 {
					lab.XYs = append(lab.XYs, plotter.XY{X: float64(j), Y: float64(nb - 1 - i)})
					lab.Labels = append(lab.Labels, group(v))
				}
			}
		}
		if len(lab.XYs) > 0 {
			labels, err := plotter.NewLabels(lab)
			if err != nil {
				return "", err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
				labels.TextStyle[i].Font.Variant = "Sans"
			}
			p.Add(labels)
		}
	}
	after := make([]string, na)
	for j, s := range cmp.After {
		after[j] = shorten(cmpOr(s.Name, s.ID), 18)
	}
	before := make([]string, nb)
	for i, s := range cmp.Before {
		before[nb-1-i] = shorten(cmpOr(s.Name, s.ID), 30)
	}
	p.NominalX(after...)
	p.NominalY(before...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	w := vg.Length(math.Max(16, 6+1.6*float64(na))) * vg.Centimeter
	h := vg.Length(math.Max(9, 5+1.0*float64(nb))) * vg.Centimeter
	return svgOf(p, w, h)
}

// comparisonData is a comparison as the charts take it.
type comparisonData = comparison

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pct formats a share as a percentage.
func pct(x float64) string {
	switch v := 100 * x; {
	case v == 0:
		return "0%"
	case v < 1:
		return fmt.Sprintf("%.1f%%", v)
	default:
		return fmt.Sprintf("%.0f%%", v)
	}
}

// group formats n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
