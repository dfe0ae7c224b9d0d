"""Data files of the panel (translations, keys, icons, styles); a package so wheels and bundles carry it."""
