package report

import (
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// templateFS holds the HTML and Markdown layouts; the view (view.go) holds the values.
//
//go:embed templates/*.tmpl
var templateFS embed.FS

// htmlTmpl lays out the self-contained HTML report.
var htmlTmpl = htmltemplate.Must(htmltemplate.New("report.html.tmpl").
	Funcs(htmltemplate.FuncMap{"join": strings.Join}).
	ParseFS(templateFS, "templates/report.html.tmpl"))

// mdTmpl lays out the Markdown summary.
var mdTmpl = texttemplate.Must(texttemplate.New("report.md.tmpl").
	Funcs(texttemplate.FuncMap{"md": mdText, "quoted": mdQuoted, "html": mdHTML, "cells": mdCells, "quotedcells": mdQuotedCells, "code": mdCode}).
	ParseFS(templateFS, "templates/report.md.tmpl"))
