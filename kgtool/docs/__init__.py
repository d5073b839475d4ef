"""Documentation made from the graph: the HTML reference pages and the pictures' resources.

`kgtool.docs.site.write_site` writes the reference, one page per language; `kgtool.draw` draws
the pictures. Both read the files beside this module: the queries they run (`sparql/*.rq`),
the page template (`templates/`), the words that are not about terms (`strings.toml`) and the
shapes and colours of the pictures (`styles.toml`).
"""
