# Source: seed article 1 (gpresult: the winning GPO for "Specify intranet Microsoft update service location");
# RSOP_RegistryPolicySetting / RSOP_GPO in root\rsop\computer (learn.microsoft.com/previous-versions/windows/
# desktop/policy/rsop-registrypolicysetting). Used only to name the GPO; the fault is a WUServer that differs
# from ConfigMgr's (SupportArticles-docs troubleshoot-software-update-scan-failures.md).
try {
    $s = Get-Cim 'root/rsop/computer' 'RSOP_RegistryPolicySetting' "valueName='WUServer' AND precedence=1" | Select-Object -First 1
    $o = [ordered]@{ wu_server_winning_gpo = $null; gpo_id = $null }
    if ($s) {
        $o.gpo_id = [string]$s.GPOID
        $g = Get-Cim 'root/rsop/computer' 'RSOP_GPO' ("id='" + $o.gpo_id + "'") | Select-Object -First 1
        if ($g) { $o.wu_server_winning_gpo = [string]$g.name }
    }
    Out-Section 'gpo' $o
} catch { Out-Failure 'gpo' $_ }
