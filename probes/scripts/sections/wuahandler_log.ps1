# Source: seed article 1 - WUAHandler.log "OnSearchComplete - Failed to end search job. Error = 0x..." lines;
# a later "Async searching completed." (the scan is complete) supersedes them (SupportArticles-docs
# track-software-update-compliance-assessment.md).
try {
    $path = Get-LogPath 'wuahandler_log'
    Out-Section 'wuahandler_log' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines 'wuahandler_log' $path) })
} catch { Out-Failure 'wuahandler_log' $_ }
