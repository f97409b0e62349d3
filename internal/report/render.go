package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/id"
)

//go:embed report.html
var pageHTML string

// Langs are the report's languages.
var Langs = []string{"zh", "en"}

// tr translates key with args; string arguments "\x00name" are channel keys.
func tr(lang, key string, args ...any) string {
	s, ok := catalog[lang][key]
	if !ok {
		s = key
	}
	for i, a := range args {
		if v, ok := a.(string); ok && strings.HasPrefix(v, "\x00") {
			args[i] = catalog[lang]["channel."+v[1:]]
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

func yuan(fen int64) string { return fmt.Sprintf("¥%.2f", float64(fen)/100) }

func pct(f *float64) string {
	if f == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

// view is what the template sees.
type view struct {
	Lang, Title, Period, Generated  string
	KPIs                            [][2]string
	StageName, StageLine            string
	StageReasons                    []string
	ActiveChart, NewChart, GMVChart template.HTML
	NewTitle, GMVTitle              string
	Personas                        []personaView
	Suppressed                      string
	AARRRHead                       []string
	AARRR                           [][]string
	FunnelHead                      []string
	Funnel                          [][]string
	Attributed, TopTitle            string
	TopHead                         []string
	Top                             [][]string
	CampHead                        []string
	Camps                           [][]string
	CampNone                        string
	ChanHead                        []string
	Chans                           [][]string
	Strengths, Weaknesses           []string
	Advice                          []string
	T                               func(string) string
}

type personaView struct {
	Title  string
	Charts []template.HTML
}

// HTML renders the report in lang ("zh" or "en"); names titles the top notes.
func HTML(d Data, lang string, names map[id.ID]string) ([]byte, error) {
	if lang != "en" {
		lang = "zh"
	}
	t := func(key string, args ...any) string { return tr(lang, key, args...) }
	o := d.Overview
	v := view{Lang: map[string]string{"zh": "zh-CN", "en": "en"}[lang], Title: t("title"),
		Period: t("period", d.Range.From.String(), d.Range.To.String()), Generated: t("generated", d.Generated.Format("2006-01-02 15:04 UTC")),
		T: func(k string) string { return t(k) }}
	v.KPIs = [][2]string{{t("k.avg_dau"), fmt.Sprintf("%.1f", o.AvgDAU)}, {t("k.mau"), fmt.Sprint(o.MAU)},
		{t("k.stickiness"), fmt.Sprintf("%.1f%%", o.Stickiness*100)}, {t("k.new"), fmt.Sprint(o.NewUsers)},
		{t("k.orders"), fmt.Sprint(o.Orders)}, {t("k.gmv"), yuan(o.GMV)}, {t("k.notes"), fmt.Sprint(o.Notes)}, {t("k.creators"), fmt.Sprint(o.Creators)}}
	v.StageName = t("stage." + d.Stage.Name)
	v.StageLine = t("stage.is", v.StageName)
	for _, r := range d.Stage.Reasons {
		v.StageReasons = append(v.StageReasons, t(r.Key, r.Args...))
	}
	labels := make([]string, len(o.Days))
	dau, wau, mau, nu, gmv := make([]float64, len(o.Days)), make([]float64, len(o.Days)), make([]float64, len(o.Days)),
		make([]float64, len(o.Days)), make([]float64, len(o.Days))
	for i, p := range o.Days {
		labels[i] = p.Date[5:]
		dau[i], wau[i], mau[i], nu[i], gmv[i] = float64(p.DAU), float64(p.WAU), float64(p.MAU), float64(p.NewUsers), float64(p.GMV)/100
	}
	v.ActiveChart = lineChart(t("chart.active"), labels, []series{{t("dau"), dau}, {t("wau"), wau}, {t("mau"), mau}})
	v.NewTitle, v.GMVTitle = t("chart.new"), t("chart.gmv")
	v.NewChart = barChart(t("chart.new"), labels, []series{{t("new"), nu}})
	v.GMVChart = barChart(t("chart.gmv"), labels, []series{{t("k.gmv"), gmv}})

	v.Suppressed = t("suppressed", analytics.MinCell)
	for _, p := range d.Personas {
		pv := personaView{Title: t("pop."+p.Population) + " · " + t("users", cellText(p.Users))}
		total := 0.0
		if p.Users != nil {
			total = float64(*p.Users)
		}
		for _, dim := range []struct {
			key   string
			cells []analytics.Cell
		}{{"gender", p.Gender}, {"age", p.Age}, {"region", p.Region}, {"segments", p.Segments}} {
			var ls []string
			var vs []float64
			for _, c := range dim.cells {
				if c.Users == nil || *c.Users == 0 {
					continue
				}
				name := c.Key
				switch dim.key {
				case "gender", "age":
					name = t(dim.key + "." + c.Key)
				case "segments":
					if s, ok := catalog[lang]["seg."+c.Key]; ok {
						name = s
					}
				case "region":
					if c.Key == "unknown" {
						name = t("unknown")
					}
				}
				ls = append(ls, name)
				vs = append(vs, float64(*c.Users))
				if len(ls) == 8 {
					break
				}
			}
			if len(ls) > 0 {
				pv.Charts = append(pv.Charts, template.HTML(`<figure><figcaption>`+template.HTMLEscapeString(t("dim."+dim.key))+`</figcaption>`)+
					hbars(t("dim."+dim.key), ls, vs, total)+`</figure>`)
			}
		}
		v.Personas = append(v.Personas, pv)
	}

	v.AARRRHead = []string{t("p.period"), t("p.acq"), t("p.act"), t("p.ret"), t("p.rev"), t("p.ref"), t("p.dau"), t("p.content")}
	for _, p := range d.Periods {
		v.AARRR = append(v.AARRR, []string{p.Range.From.String()[5:] + " – " + p.Range.To.String()[5:], fmt.Sprint(p.NewUsers),
			pct(p.Activation), pct(p.Retention), fmt.Sprintf("%s (%d)", yuan(p.GMV), p.PaidOrders), pct(p.Referral),
			fmt.Sprintf("%.1f", p.AvgDAU), fmt.Sprintf("%d (%d)", p.Notes, p.Creators)})
	}
	v.FunnelHead = []string{t("f.stage"), t("f.events"), t("f.rate")}
	for _, s := range d.Funnel.Stages {
		v.Funnel = append(v.Funnel, []string{t("stage." + s.Name), fmt.Sprint(s.Events), pct(s.Rate)})
	}
	v.Attributed = t("f.attributed", d.Funnel.Attributed)
	v.TopTitle = t("f.top")
	v.TopHead = []string{t("f.note"), t("f.views"), t("f.clicks"), t("f.orders"), t("f.gmv")}
	for _, n := range d.Funnel.Notes {
		v.Top = append(v.Top, []string{names[n.ID], fmt.Sprint(n.Views), fmt.Sprint(n.Clicks), fmt.Sprint(n.Orders), yuan(n.GMV)})
	}
	v.CampHead = []string{t("c.campaign"), t("c.days"), t("c.metric"), t("c.base"), t("c.during"), t("c.lift")}
	for _, c := range d.Campaigns {
		for _, u := range c.Effects {
			base, during := fmt.Sprintf("%.1f", u.BaselineMean), fmt.Sprintf("%.1f", u.CampaignMean)
			if u.Metric == "gmv" {
				base, during = yuan(int64(u.BaselineMean)), yuan(int64(u.CampaignMean))
			}
			v.Camps = append(v.Camps, []string{c.Title, c.Range.From.String() + " – " + c.Range.To.String(), t("metric." + u.Metric),
				base, during, fmt.Sprintf("%+.0f%% (%+.0f%% … %+.0f%%)", u.Lift*100, u.Low*100, u.High*100)})
		}
	}
	v.CampNone = t("c.none")
	v.ChanHead = []string{t("ch.channel"), t("ch.signups"), "D1", "D7", "D30"}
	for _, c := range d.Channels {
		v.Chans = append(v.Chans, []string{channelName(lang, c.Channel), fmt.Sprint(c.Size), pct(c.D1Rate), pct(c.D7Rate), pct(c.D30Rate)})
	}
	seen := map[string]bool{}
	for _, f := range d.Findings {
		line := t("area."+f.Area) + " · " + t(f.Reason.Key, f.Reason.Args...)
		if f.Strength {
			v.Strengths = append(v.Strengths, line)
		} else {
			v.Weaknesses = append(v.Weaknesses, line)
		}
		if f.Advice != "" && !seen[f.Advice] {
			seen[f.Advice] = true
			v.Advice = append(v.Advice, t(f.Advice))
		}
	}
	if len(v.Advice) == 0 {
		v.Advice = []string{t("advice.none")}
	}
	tp, err := template.New("report").Parse(pageHTML)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = tp.Execute(&b, v)
	return b.Bytes(), err
}

func cellText(n *int64) string {
	if n == nil {
		return fmt.Sprintf("<%d", analytics.MinCell)
	}
	return fmt.Sprint(*n)
}

func channelName(lang, c string) string {
	if k := channelKey(c); strings.HasPrefix(k, "\x00") {
		return catalog[lang]["channel."+k[1:]]
	}
	return c
}
