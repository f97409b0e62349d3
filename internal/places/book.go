package places

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"time"
)

// Book is a guide resolved for offline reading: every note and product
// turned into text and an embedded image, so the file needs no network.
type Book struct {
	ID       string // stable identifier, e.g. "urn:redmark:guide:123"
	Title    string
	Lang     string // "zh-CN" or "en"
	Intro    string
	Modified time.Time
	Chapters []Chapter
}

// Chapter is a guide section.
type Chapter struct {
	Title   string
	Body    string
	Entries []Entry
}

// Entry is a note or product in a chapter.
type Entry struct {
	Title string
	Text  string
	Meta  string // author or price line
	Link  string // absolute URL of the online page
	JPEG  []byte // cover image, may be empty
}

// chapterTmpl is one chapter as XHTML (EPUB) or an HTML fragment (PDF);
// images are referenced by src, which the two formats fill differently.
var chapterTmpl = template.Must(template.New("chapter").Parse(`<section>
<h2>{{.Title}}</h2>
{{if .Body}}<p class="body">{{.Body}}</p>{{end}}
{{range .Entries}}<div class="entry">
{{if .Src}}<img src="{{.Src}}" alt=""/>{{end}}
<h3>{{.Title}}</h3>
{{if .Meta}}<p class="meta">{{.Meta}}</p>{{end}}
{{if .Text}}<p>{{.Text}}</p>{{end}}
{{if .Link}}<p class="link"><a href="{{.Link}}">{{.Link}}</a></p>{{end}}
</div>
{{end}}</section>
`))

type entryView struct {
	Entry
	Src template.URL
}

type chapterView struct {
	Title, Body string
	Entries     []entryView
}

func (b Book) view(ch Chapter, src func(e Entry, i int) string) chapterView {
	v := chapterView{Title: ch.Title, Body: ch.Body}
	for i, e := range ch.Entries {
		ev := entryView{Entry: e}
		if len(e.JPEG) > 0 {
			ev.Src = template.URL(src(e, i))
		}
		v.Entries = append(v.Entries, ev)
	}
	return v
}

const bookCSS = `body{font-family:serif;line-height:1.6;margin:0 1em}
h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc}
.entry{margin:1em 0;page-break-inside:avoid}.entry img{max-width:100%;max-height:60vh}
.meta{color:#666;font-size:.9em}.link{font-size:.8em;word-break:break-all}`

var xhtmlTmpl = template.Must(template.New("xhtml").Parse(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="{{.Lang}}" lang="{{.Lang}}">
<head><meta charset="UTF-8"/><title>{{.Title}}</title><link rel="stylesheet" type="text/css" href="book.css"/></head>
<body>
{{.Content}}
</body>
</html>
`))

var opfTmpl = template.Must(template.New("opf").Parse(`<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="{{.Lang}}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">{{.ID}}</dc:identifier>
<dc:title>{{.Title}}</dc:title>
<dc:language>{{.Lang}}</dc:language>
<dc:publisher>Redmark</dc:publisher>
<meta property="dcterms:modified">{{.Modified}}</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="css" href="book.css" media-type="text/css"/>
{{range .Files}}<item id="{{.ID}}" href="{{.Href}}" media-type="{{.Type}}"/>
{{end}}</manifest>
<spine>
{{range .Spine}}<itemref idref="{{.}}"/>
{{end}}</spine>
</package>
`))

var navTmpl = template.Must(template.New("nav").Parse(`<nav epub:type="toc" id="toc"><h1>{{.Title}}</h1><ol>
{{range .Items}}<li><a href="{{.Href}}">{{.Title}}</a></li>
{{end}}</ol></nav>`))

const containerXML = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
`

type opfFile struct{ ID, Href, Type string }

// xmlDecl starts the XML files; html/template would escape it.
const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func execute(t *template.Template, data any) []byte {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		// The templates are fixed and the data plain strings.
		panic(err)
	}
	return buf.Bytes()
}

// page wraps content in a complete XHTML document.
func (b Book) page(title string, content []byte) []byte {
	return append([]byte(xmlDecl), execute(xhtmlTmpl, map[string]any{"Lang": b.Lang, "Title": title, "Content": template.HTML(content)})...)
}

// WriteEPUB writes the book as an EPUB 3 publication, built from the
// format's spec (OCF zip with an uncompressed mimetype first, a package
// document, a navigation document and one XHTML file per chapter).
func (b Book) WriteEPUB(w io.Writer) error {
	z := zip.NewWriter(w)
	mt, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(mt, "application/epub+zip"); err != nil {
		return err
	}
	files := map[string][]byte{
		"META-INF/container.xml": []byte(containerXML),
		"OEBPS/book.css":         []byte(bookCSS),
	}
	var manifest []opfFile
	var spine []string
	type navItem struct{ Href, Title string }
	var nav []navItem
	add := func(idv, href, typ string, body []byte) {
		files["OEBPS/"+href] = body
		manifest = append(manifest, opfFile{idv, href, typ})
	}
	intro := fmt.Appendf(nil, "<h1>%s</h1>", template.HTMLEscapeString(b.Title))
	if b.Intro != "" {
		intro = fmt.Appendf(intro, `<p class="body">%s</p>`, template.HTMLEscapeString(b.Intro))
	}
	add("intro", "intro.xhtml", "application/xhtml+xml", b.page(b.Title, intro))
	spine = append(spine, "intro")
	nav = append(nav, navItem{"intro.xhtml", b.Title})
	for ci, ch := range b.Chapters {
		v := b.view(ch, func(e Entry, i int) string {
			href := fmt.Sprintf("img/c%d-%d.jpg", ci, i)
			add(fmt.Sprintf("img-c%d-%d", ci, i), href, "image/jpeg", e.JPEG)
			return href
		})
		href := fmt.Sprintf("c%d.xhtml", ci)
		cid := fmt.Sprintf("c%d", ci)
		add(cid, href, "application/xhtml+xml", b.page(ch.Title, execute(chapterTmpl, v)))
		spine = append(spine, cid)
		nav = append(nav, navItem{href, ch.Title})
	}
	files["OEBPS/nav.xhtml"] = b.page(b.Title, execute(navTmpl, map[string]any{"Title": b.Title, "Items": nav}))
	files["OEBPS/content.opf"] = append([]byte(xmlDecl), execute(opfTmpl, map[string]any{
		"ID": b.ID, "Title": b.Title, "Lang": b.Lang,
		"Modified": b.Modified.UTC().Format("2006-01-02T15:04:05Z"), "Files": manifest, "Spine": spine,
	})...)
	order := []string{"META-INF/container.xml", "OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/book.css"}
	for _, f := range manifest {
		order = append(order, "OEBPS/"+f.Href)
	}
	for _, name := range order {
		f, err := z.Create(name)
		if err != nil {
			return err
		}
		if _, err := f.Write(files[name]); err != nil {
			return err
		}
	}
	return z.Close()
}

// HTML renders the whole book as one HTML page with the images inlined as
// data URLs: what the PDF printer loads.
func (b Book) HTML() []byte {
	var body bytes.Buffer
	fmt.Fprintf(&body, "<h1>%s</h1>", template.HTMLEscapeString(b.Title))
	if b.Intro != "" {
		fmt.Fprintf(&body, `<p class="body">%s</p>`, template.HTMLEscapeString(b.Intro))
	}
	for _, ch := range b.Chapters {
		body.Write(execute(chapterTmpl, b.view(ch, func(e Entry, _ int) string {
			return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(e.JPEG)
		})))
	}
	return execute(htmlTmpl, map[string]any{"Lang": b.Lang, "Title": b.Title, "CSS": template.CSS(bookCSS),
		"Content": template.HTML(body.String())})
}

var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="UTF-8"><title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body>{{.Content}}</body></html>
`))
