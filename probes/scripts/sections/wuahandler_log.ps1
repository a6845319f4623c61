# Source: seed article 1 - WUAHandler.log "OnSearchComplete - Failed to end search job. Error = 0x..." lines.
try {
    $path = Join-Path $CcmLogs 'WUAHandler.log'
    $r.wuahandler_log = [ordered]@{ path = $path; lines = @(Get-RecentLines $path 'Failed to end search job|Scan failed|overwritten by a higher authority') }
} catch { $r.errors.wuahandler_log = $_.Exception.Message }
