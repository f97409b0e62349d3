package httpapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
)

// routesInSource finds every "METHOD /api/..." pattern registered in this
// package's handlers.
func routesInSource(t *testing.T) map[string]bool {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`mux\.Handle(?:Func)?\("((?:GET|POST|PUT|PATCH|DELETE) /api/[^"]+)"`)
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
	}
	if len(out) < 40 {
		t.Fatalf("found only %d routes in the source: is the pattern out of date?", len(out))
	}
	return out
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := apitest.New(t, dbtest.SQLite(t))
	r := e.Anon().Do("GET", "/api/openapi.json", nil).Want(200)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	r.Decode(&doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := routesInSource(t)
	var missing, stale []string
	for r := range registered {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !registered[d] {
			stale = append(stale, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("OpenAPI out of date:\nundocumented routes: %v\ndocumented but not registered: %v", missing, stale)
	}
	// Every $ref points at a defined schema.
	refs := regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(r.Body), -1)
	for _, m := range refs {
		if doc.Components.Schemas[m[1]] == nil {
			t.Errorf("reference to undefined schema %s", m[1])
		}
	}
	var anyDoc map[string]any
	if err := json.Unmarshal(r.Body, &anyDoc); err != nil {
		t.Fatal(err)
	}
}
