package web

import "fmt"

// addCatalog merges an area's keys into both catalogs. Areas keep their
// keys in their own files (catalog_<area>.go) so nobody edits the shared
// maps; a key defined twice is a build defect and panics at start.
func addCatalog(en, zh map[string]string) {
	for k, v := range en {
		if _, dup := catalogEN[k]; dup {
			panic(fmt.Sprintf("web: catalog key %q defined twice", k))
		}
		catalogEN[k] = v
	}
	for k, v := range zh {
		if _, dup := catalogZH[k]; dup {
			panic(fmt.Sprintf("web: catalog key %q defined twice", k))
		}
		catalogZH[k] = v
	}
}
