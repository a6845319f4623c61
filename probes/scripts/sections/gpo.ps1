# Source: seed article 1 (gpresult: the winning GPO for "Specify intranet Microsoft update service
# location" must be Local Group Policy); RSOP_RegistryPolicySetting in root\rsop\computer.
try {
    $s = Get-CimInstance -Namespace 'root/rsop/computer' -ClassName RSOP_RegistryPolicySetting -Filter "valueName='WUServer' AND precedence=1" -ErrorAction SilentlyContinue
    $gpo = $null
    if ($s) { $gpo = (Get-CimInstance -Namespace 'root/rsop/computer' -ClassName RSOP_GPO -Filter "id='$($s.GPOID)'" -ErrorAction SilentlyContinue).name }
    $r.gpo = [ordered]@{ wu_server_winning_gpo = $gpo }
} catch { $r.errors.gpo = $_.Exception.Message }
