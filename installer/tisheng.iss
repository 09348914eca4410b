; Inno Setup 6.5+ script: per-user install without administrator rights, Chinese wizard,
; Start-menu and desktop shortcuts; school data (in %LOCALAPPDATA%\Tisheng) is never touched.
; Build on Windows after PyInstaller:  iscc /DAppVersion=0.1.0 installer\tisheng.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{5C3E1E7A-6B8B-4E55-9A3D-7A1F0C2B9D41}
AppName=提升工程2.0 整校推进助手
AppVersion={#AppVersion}
AppPublisher=Tisheng
AppVerName=提升工程2.0 整校推进助手 {#AppVersion}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
DefaultDirName={autopf}\Tisheng
DefaultGroupName=提升工程2.0 整校推进助手
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ShowLanguageDialog=no
OutputDir=..\dist
OutputBaseFilename=Tisheng-Setup-{#AppVersion}
UninstallDisplayIcon={app}\tisheng.exe
UninstallDisplayName=提升工程2.0 整校推进助手
SetupLogging=yes

[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "其他快捷方式："

[InstallDelete]
; a clean upgrade: no stale Qt libraries from the previous version
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\tisheng\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\docs\用户手册.md"; DestDir: "{app}\docs"; Flags: ignoreversion skipifsourcedoesntexist
Source: "..\docs\images\*"; DestDir: "{app}\docs\images"; Flags: ignoreversion skipifsourcedoesntexist

[Icons]
Name: "{group}\提升工程2.0 整校推进助手"; Filename: "{app}\tisheng.exe"
Name: "{group}\用户手册"; Filename: "{app}\docs\用户手册.md"
Name: "{group}\卸载"; Filename: "{uninstallexe}"
Name: "{autodesktop}\整校推进助手"; Filename: "{app}\tisheng.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\tisheng.exe"; Description: "立即打开软件"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only the program folder; the school's data folder is kept on purpose
Type: filesandordirs; Name: "{app}\_internal"
