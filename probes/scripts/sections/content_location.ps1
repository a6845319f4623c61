# Source: seed article 1 - ContentTransferManager.log "Received empty location update for CTM Job".
try {
    $path = Join-Path $CcmLogs 'ContentTransferManager.log'
    $r.content_location = [ordered]@{ path = $path; lines = @(Get-RecentLines $path 'empty location update') }
} catch { $r.errors.content_location = $_.Exception.Message }
