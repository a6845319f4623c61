"""Text is made here, at the top: core results (data, cause IDs, message keys) in, Block Kit or
terminal text in one language out. `i18n` holds the message catalogs, `present` fills findings
from the knowledge entries, `blocks` builds Slack messages, `text` the CLI's output."""
