# Source: seed article 2 - %windir%\WindowsUpdate.log "ISusInternal::GetUpdateMetadata2 failed, hr=8007000E";
# 0x800B0001 when WSUS is older than 3.2.7600.256.
try {
    $path = Join-Path $env:windir 'WindowsUpdate.log'
    $r.windowsupdate_log = [ordered]@{ path = $path; lines = @(Get-RecentLines $path 'GetUpdateMetadata2 failed|0x800B0001|8007000E' 20000 20) }
} catch { $r.errors.windowsupdate_log = $_.Exception.Message }
