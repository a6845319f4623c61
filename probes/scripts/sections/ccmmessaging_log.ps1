# Source: seed article 1 - CcmMessaging.log "[CCMHTTP] ERROR: URL=..., Text=<symbol>" lines.
try {
    $path = Join-Path $CcmLogs 'CcmMessaging.log'
    Out-Section 'ccmmessaging_log' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines $path '\[CCMHTTP\] ERROR') })
} catch { Out-Failure 'ccmmessaging_log' $_ }
