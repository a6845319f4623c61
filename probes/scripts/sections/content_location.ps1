# Source: seed article 1 - ContentTransferManager.log "Received empty location update for CTM Job";
# CAS.log / ContentTransferManager.log cache-size errors (0x87D01201, knowledge/codes/hresult.tsv).
try {
    $path = Join-Path $CcmLogs 'ContentTransferManager.log'
    Out-Section 'content_location' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines $path 'empty location update|0x87d01201') })
} catch { Out-Failure 'content_location' $_ }
