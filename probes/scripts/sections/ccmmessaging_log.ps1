# Source: seed article 1 - CcmMessaging.log "[CCMHTTP] ERROR: URL=..., Text=<symbol>" lines.
try {
    $path = Join-Path $CcmLogs 'CcmMessaging.log'
    $r.ccmmessaging_log = [ordered]@{ path = $path; lines = @(Get-RecentLines $path '\[CCMHTTP\] ERROR') }
} catch { $r.errors.ccmmessaging_log = $_.Exception.Message }
