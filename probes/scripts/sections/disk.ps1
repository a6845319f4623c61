# Source: Win32_LogicalDisk Size/FreeSpace in bytes on the system drive (learn.microsoft.com win32-logicaldisk;
# ConfigMgr Client Health: < 10 % free).
try {
    $d = Get-Cim 'root/cimv2' 'Win32_LogicalDisk' ("DeviceID='" + $env:SystemDrive + "'") | Select-Object -First 1
    Out-Section 'disk' ([ordered]@{ drive = [string]$env:SystemDrive; size_bytes = [string]$d.Size; free_bytes = [string]$d.FreeSpace })
} catch { Out-Failure 'disk' $_ }
