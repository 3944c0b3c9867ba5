; Inno Setup script of the branchdesk installer. build_installer.py compiles it on
; Windows after the bundle has passed its check, passing the values below with /D:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=dist\branchdesk /DOutputDir=dist /DIconFile=resources\icons\branchdesk.ico packaging\branchdesk.iss
;
; Per user, without administrator rights: the program goes to
; %LOCALAPPDATA%\Programs\branchdesk. The secretary's data live elsewhere
; (%LOCALAPPDATA%\branchdesk: database, backups, settings, log); the installer never
; writes there and the uninstaller only removes what it installed, so uninstalling
; or installing a new version leaves the data as they were.

#ifndef AppVersion
  #error Pass the version: /DAppVersion=x.y.z (build_installer.py does)
#endif
#ifndef SourceDir
  #error Pass the bundle folder: /DSourceDir=...\dist\branchdesk
#endif
#ifndef OutputDir
  #define OutputDir "dist"
#endif
#ifndef IconFile
  #define IconFile "..\resources\icons\branchdesk.ico"
#endif

#define AppTitle "小区党建工作台"

[Setup]
; The AppId ties new versions to the installed one: never change it.
AppId={{6C0F3B52-8E0B-4B7D-9F3A-2D1B6E4A9C17}
AppName={#AppTitle}
AppVersion={#AppVersion}
AppVerName={#AppTitle} {#AppVersion}
AppPublisher=branchdesk
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppTitle}
VersionInfoDescription={#AppTitle} 安装程序
PrivilegesRequired=lowest
DefaultDirName={autopf}\branchdesk
DefaultGroupName={#AppTitle}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
OutputDir={#OutputDir}
OutputBaseFilename=branchdesk-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\branchdesk.exe
UninstallDisplayName={#AppTitle}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; A running branchdesk holds its files open: ask to close it rather than fail halfway.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建快捷方式"; GroupDescription: "快捷方式："

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; A new version's bundle replaces the old one whole: leftovers of libraries it no longer
; carries must not be loaded by mistake. Only the program folder, never the data folder.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppTitle}"; Filename: "{app}\branchdesk.exe"; Comment: "小区党支部的离线桌面工作台"
Name: "{autodesktop}\{#AppTitle}"; Filename: "{app}\branchdesk.exe"; Tasks: desktopicon
Name: "{autoprograms}\卸载{#AppTitle}"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\branchdesk.exe"; Description: "现在打开{#AppTitle}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python's caches written inside the program folder at run time, nothing else.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
