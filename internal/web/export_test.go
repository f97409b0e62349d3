package web

// Catalogs lets the external tests compare rendered pages with both catalogues.
var Catalogs = catalogs
