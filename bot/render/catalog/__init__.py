"""One YAML message catalog per reply language (`en.yaml`, `ja.yaml`), validated by `bot.render.i18n`."""
