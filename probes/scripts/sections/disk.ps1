# Source: Win32_LogicalDisk free space on the system drive (ConfigMgr Client Health: < 10 % free).
try {
    $d = Get-CimInstance -ClassName Win32_LogicalDisk -Filter "DeviceID='$env:SystemDrive'"
    $r.disk = [ordered]@{ drive = $env:SystemDrive; size_gb = [math]::Round($d.Size / 1073741824, 1); free_gb = [math]::Round($d.FreeSpace / 1073741824, 1) }
} catch { $r.errors.disk = $_.Exception.Message }
