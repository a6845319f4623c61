# Source: seed article 1 - ContentTransferManager.log "Received empty location update for CTM Job";
# CAS.log / ContentTransferManager.log cache-size errors (0x87D01201, knowledge/codes/hresult.tsv).
try {
    $path = Get-LogPath 'content_location'
    Out-Section 'content_location' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines 'content_location' $path) })
} catch { Out-Failure 'content_location' $_ }
