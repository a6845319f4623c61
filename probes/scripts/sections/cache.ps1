# Source: CacheConfig in root\ccm\SoftMgmtAgent (Client Center); CCM_SoftwareUpdate.ContentSize in
# root\ccm\ClientSDK (learn.microsoft.com ccm_softwareupdate-client-wmi-class).
try {
    $cfg = Get-CimInstance -Namespace 'root/ccm/SoftMgmtAgent' -ClassName CacheConfig | Select-Object -First 1
    $need = (Get-CimInstance -Namespace 'root/ccm/ClientSDK' -ClassName CCM_SoftwareUpdate -ErrorAction SilentlyContinue |
        Measure-Object -Property ContentSize -Sum).Sum
    $r.cache = [ordered]@{ size_mb = [int]$cfg.Size; required_content_mb = [int]($need / 1024) }
} catch { $r.errors.cache = $_.Exception.Message }
