# Source: seed article 2 - OS architecture (32-bit Windows 7), Windows Update Agent version
# (wuaueng.dll), and the fixes KB3050265 ... KB3112343 (Get-HotFix).
try {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $arch = if ($os.OSArchitecture -match '64') { 'x64' } else { 'x86' }
    $wua = (Get-Item (Join-Path $env:windir 'System32\wuaueng.dll')).VersionInfo.ProductVersion
    $fixes = @('KB3050265','KB3065987','KB3075851','KB3083324','KB3083710','KB3102810','KB3112343')
    $kbs = @(Get-HotFix -ErrorAction SilentlyContinue | Where-Object { $fixes -contains $_.HotFixID } | ForEach-Object { $_.HotFixID })
    $r.platform = [ordered]@{ os_caption = $os.Caption; os_version = $os.Version; architecture = $arch; wua_version = $wua; installed_kbs = $kbs }
} catch { $r.errors.platform = $_.Exception.Message }
