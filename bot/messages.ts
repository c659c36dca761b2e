// Every text the Telegram bot shows (zh-CN), in one place. Question labels, hints and engine
// reasons come from the forms and domain/messages.ts; this module holds the chat's own words.

import type { Role } from '../domain/campaign';
import type { ProblemCategory, ReplacementReason } from '../domain/model';

export const roleLabels: Record<Role, string> = {
  office: '扶贫办',
  leader: '组长',
  liaison: '联络员',
  inspector: '检查员',
  town_contact: '乡镇联络人',
};

export const categoryLabels: Record<ProblemCategory, string> = {
  identification_missed: '一、精准识别(漏评方面)',
  assistance_measures: '二、精准帮扶·措施制定',
  assistance_projects: '二、精准帮扶·项目实施',
  assistance_funds: '二、精准帮扶·资金使用',
  assistance_policy: '二、精准帮扶·政策保障',
  assistance_stationed: '二、精准帮扶·驻村帮扶',
  exit_wrongful: '三、精准脱贫(错退方面)',
  other: '四、其他方面(资料、档案、内生动力等)',
};

export const replacementLabels: Record<ReplacementReason, string> = {
  absent: '不在家',
  refused: '拒绝调查',
  moved: '已搬迁',
  other: '其他原因',
};

export const pickStatusIcon = {
  selected: '⬜',
  surveyed: '✅',
  replaced: '🔁',
  draft: '✏️',
  returned: '↩️',
} as const;

export const commandsByRole: Record<Role, { command: string; description: string }[]> = {
  inspector: [
    { command: 'villages', description: '选择村、抽样、开始调查' },
    { command: 'resume', description: '继续未完成的问卷' },
    { command: 'problem', description: '记录发现的问题' },
    { command: 'problems', description: '我记录的问题:查看、修改、撤回' },
    { command: 'help', description: '使用说明' },
  ],
  liaison: [
    { command: 'villages', description: '选择村、抽样、开始调查' },
    { command: 'resume', description: '继续未完成的问卷' },
    { command: 'tomorrow', description: '设定明日检查村' },
    { command: 'problem', description: '记录发现的问题' },
    { command: 'problems', description: '我记录的问题:查看、修改、撤回' },
    { command: 'help', description: '使用说明' },
  ],
  leader: [
    { command: 'surveys', description: '查看组内已提交问卷、退回修改' },
    { command: 'report', description: '本组检查报告材料与签发' },
    { command: 'tomorrow', description: '设定明日检查村' },
    { command: 'villages', description: '选择村、抽样、开始调查' },
    { command: 'problem', description: '记录发现的问题' },
    { command: 'problems', description: '我记录的问题:查看、修改、撤回' },
    { command: 'help', description: '使用说明' },
  ],
  town_contact: [
    { command: 'villages', description: '上传村农户名单' },
    { command: 'help', description: '使用说明' },
  ],
  office: [
    { command: 'summary', description: '生成汇总表(表3/表4/表5)' },
    { command: 'invite', description: '生成邀请链接' },
    { command: 'people', description: '人员与权限:撤销、停用、作废邀请' },
    { command: 'proposals', description: '待确认的问题建议(纸质导入)' },
    { command: 'figures', description: '填报县级数据' },
    { command: 'signoffs', description: '查看各组报告签发情况' },
    { command: 'problem', description: '记录发现的问题' },
    { command: 'problems', description: '我记录的问题:查看、修改、撤回' },
    { command: 'help', description: '使用说明' },
  ],
};

export const t = {
  notEnrolled: '您好!本机器人仅供脱贫攻坚大检查工作人员使用。请通过扶贫办发给您的邀请链接加入。',
  inviteUnknown: '邀请码无效。请确认链接完整,或向扶贫办索取新的邀请链接。',
  inviteUsed: '该邀请链接已被他人使用。每个链接只能用一次,请向扶贫办索取新的邀请链接。',
  inviteUsedBefore:
    '您已经用过这个邀请链接,每个链接只能用一次;它给您的身份已被扶贫办收回。如需重新担任,请向扶贫办索取新的邀请链接。',
  inviteExpired: '该邀请链接已过期,请向扶贫办索取新的邀请链接。',
  inviteCancelled: '该邀请链接已被扶贫办作废。如需加入,请向扶贫办索取新的邀请链接。',
  joined: (role: string, scope: string) =>
    `欢迎加入!您的身份:${role}${scope ? `(${scope})` : ''}。\n发送 /help 查看可以做什么。`,
  alreadyJoined: (grant: string) => `您已经是${grant},无需重复加入。发送 /help 查看可以做什么。`,
  confirmGrant: (held: string, offered: string) =>
    `您已是${held}。\n这个邀请链接将让您同时担任:${offered}。\n原有身份不变。是否接受?`,
  grantAdded: (offered: string, all: string) => `✅ 已接受。您现在的身份:${all}。新增:${offered}。`,
  grantDeclined: '好的,没有接受这个邀请,您的身份不变。邀请链接仍可由您稍后使用。',
  deactivated: '您的账号已被扶贫办停用,机器人不再处理您的消息。如有疑问,请联系扶贫办。',
  home: '请选择要做的事:',
  cancelled: '已取消。',
  help: (lines: string[], answersSurveys: boolean) =>
    `您可以:\n${lines.join('\n')}${answersSurveys ? '\n\n答题时:点按钮选择,数字和文字直接回复;每题下方有"上一题"和"暂停"。' : ''}`,
  helpLine: {
    villages: '• /villages 选择村:上传名单、抽样、开始农户和村级调查',
    resume: '• /resume 继续未完成或被退回的问卷',
    problem: '• /problem 记录发现的问题(见事见人、明确具体)',
    surveys: '• /surveys 查看组内已提交问卷,退回修改',
    summary: '• /summary 生成汇总表,接收 Excel 文件',
    invite: '• /invite 生成邀请链接',
    figures: '• /figures 填报县级数据(表4 中由县提供的数字)',
    upload: '• /villages 选择村,上传当天的农户名单(CSV 或 Excel)',
    report: '• /report 本组检查报告材料(表3、表4、情况摘要),核对后签发',
    tomorrow: '• /tomorrow 设定明日检查村,乡镇会收到上传名单的通知',
    signoffs: '• /signoffs 查看各检查组报告签发情况',
    people: '• /people 人员与权限:查看、撤销某项身份、停用人员、作废未使用的邀请',
    problems: '• /problems 我记录的问题:查看详情,乡镇处理前可修改描述或撤回',
    proposals: '• /proposals 纸质调查表导入后待确认的问题建议,可逐条或全部确认',
  },
  unknownText: '没听懂。请点按钮操作,或发送 /help 查看说明。',
  unknownButton: '这个按钮已失效,请重新操作。',
  /** In a group or channel: said once, then the bot leaves (nothing there is read or stored). */
  privateOnly: '本机器人只在私聊中使用,请点我的头像私聊。我将退出本群。',
  privateOnlyToast: '请私聊机器人',
  editedIgnored:
    '修改已发送的消息不会被记录。要改答案,请用“⬅️ 上一题”回到那道题重新回答,或在回顾页点“✏️ 修改”。',
  surveyChangedSinceShown:
    '这份问卷在您查看之后有了变化(已重新提交或被修改),没有退回。请从组内问卷重新打开查看后再决定。',
  personChangedSinceShown:
    '⚠️ 此人的状态在您看到之后已被他人更改(停用或恢复),没有做任何修改。以下是现在的情况:',
  staleButton: '这个按钮已过期(问卷已前进),没有做任何修改。请在最新的一条消息里作答。',
  forbidden: '您没有权限进行此操作。',
  failed: '系统出错了,您的答案没有丢失。请稍后再试;如反复出现请联系扶贫办。',
  noGroup: '您还没有分配到检查组,请联系扶贫办。',
  // villages and samples
  chooseVillage: (town: string) => `${town}:请选择村`,
  villageButton: (name: string, done: number, total: number) =>
    total > 0 ? `${name} ${done}/${total}` : `${name} 未抽样`,
  villageHeader: (village: string) => `📍 ${village}`,
  noListYet:
    '还没有农户名单。请上传乡镇提供的名单文件(CSV 或 Excel .xlsx),包含户编号、户主姓名、农户类型三列。',
  listReady: (count: number, byStratum: string) => `已有农户名单:共 ${count} 户(${byStratum})。可以抽样。`,
  sampleLine: (icon: string, stratum: string, name: string) => `${icon} ${name}(${stratum})`,
  sampleHeader: (seed: string, shortfall: string) =>
    `样本已抽取(随机种子 ${seed.slice(0, 8)}…)。${shortfall}\n✅ 已提交 ✏️ 填写中 ⬜ 未开始 🔁 已替换`,
  shortfall: (items: string) => `名单不足:${items}。`,
  uploadPrompt: (village: string) => `请把${village}的农户名单文件(CSV 或 Excel .xlsx)直接发送到这里。`,
  uploadNotExpected: '收到文件,但不知道是哪个村的名单。请先发送 /villages 选择村,再点"上传名单"。',
  uploadNotDocument: '请以"文件"方式发送名单(CSV 或 .xlsx),不要发送图片。',
  droppedColumns: (columns: string) => `已忽略以下列(不保存):${columns}。`,
  listReplaceConfirm: (village: string, oldCount: number, oldAt: string, newCount: number) =>
    `${village}已有名单:共 ${oldCount} 户(${oldAt} 上传)。\n新名单:共 ${newCount} 户。\n确定用新名单替换旧名单吗?(抽样前可以替换,抽样后名单锁定)`,
  listReplaced: (village: string, oldCount: number, newCount: number) =>
    `✅ ${village}名单已替换:${oldCount} 户 → ${newCount} 户。`,
  listKept: '好的,保留原名单,新文件未保存。',
  listUnchanged: (village: string, count: number) =>
    `${village}的名单与已上传的户编号、户主姓名和农户类型都相同(共 ${count} 户),名单未更新。只改了人口、村民小组或备注的,这些改动不会保存。`,
  drawConfirm: (village: string, count: number) =>
    `将从${village}名单(共 ${count} 户)中按配额随机抽取样本。\n抽样后样本锁定,名单不能再更换。确定抽取吗?`,
  drawCancelled: '好的,暂不抽样。',
  chooseTown: '请选择乡镇:',
  uploadDownloadFailed: '没能收到文件内容,请重新发送一次。',
  uploadTooLarge: '文件太大(超过 5MB),请只保留户编号、户主姓名、农户类型等必要列后重新发送。',
  uploadOk: (village: string, count: number, byStratum: string) =>
    `✅ ${village}名单已上传:共 ${count} 户(${byStratum})。`,
  uploadBadRows: (count: number, lines: string) =>
    `名单有 ${count} 处错误,未保存任何数据。请修改后重新发送整个文件:\n${lines}`,
  drawn: (count: number) => `✅ 已抽取 ${count} 户,样本已锁定。`,
  householdMenu: (name: string, stratum: string, status: string) => `${name}(${stratum})\n状态:${status}`,
  householdStatus: {
    selected: '未开始',
    surveyed: '已提交',
    replaced: '已替换',
    draft: '填写中',
    returned: '被退回修改',
  },
  chooseReplaceReason: (name: string) => `为什么不能调查${name}户?`,
  replaceNotePrompt: '请用一句话写明具体情况:',
  onSiteNamePrompt: '现场增补名单中没有的非贫困户:请回复户主姓名。',
  onSiteNameTooLong: (max: number) => `户主姓名应为1–${max}个字,请重新回复户主姓名。`,
  onSiteReasonPrompt: (name: string) => `请用一句话写明现场选定${name}户的理由:`,
  onSiteAdded: (name: string) => `➕ 已将 ${name} 作为现场增补的非贫困户加入样本,可以开始调查。`,
  replaced: (oldName: string, newName: string, stratum: string) =>
    `🔁 已将 ${oldName} 替换为 ${newName}(${stratum})。原户已记录为"已替换"。`,
  // surveys
  progressBar: (done: number, total: number) => {
    const n = total === 0 ? 0 : Math.round((done / total) * 10);
    return `${'▓'.repeat(n)}${'░'.repeat(10 - n)}`;
  },
  questionNo: (position: number, total: number) => `第${position}/${total}题`,
  editCost: (value: string, n: number, which: string) =>
    `⚠️ 改为「${value}」后,将清除 ${n} 个已填答案:${which}。\n确定修改吗?(改回原答案可恢复这些答案)`,
  andMore: (n: number) => ` 等(另 ${n} 个)`,
  restored: (n: number) => `♻️ 已恢复 ${n} 个答案,请核对。`,
  reasked: (why: string) => `⚠️ 需重新填写:${why}`,
  rejected: (reason: string) => `❌ ${reason}`,
  answered: (label: string, display: string) => `✔️ ${label}:${display}`,
  confirmPrompt: (message: string) => `⚠️ ${message}`,
  reasonPrompt: (message: string) => `⚠️ ${message}\n请直接回复理由(一句话,至少 4 个字)。`,
  paused: (answered: number, total: number) => `⏸ 已暂停,已答 ${answered}/${total} 题。发送 /resume 可继续。`,
  noOpenSurvey: '当前没有打开的问卷。发送 /villages 选择农户,或 /resume 继续。',
  inReview: '问卷已答完。请在回顾页点"提交",或点"修改"更正某一题。',
  reviewTitle: (subject: string) => `📋 回顾:${subject}`,
  reviewProgress: (answered: number, total: number) => `已答 ${answered}/${total} 题`,
  reviewFlags: '⚠️ 系统提示(仅供参考,以检查员判断为准):',
  reviewMissing: (n: number) => `还有 ${n} 题未答或待确认。`,
  chooseSection: '要修改哪一部分?',
  chooseQuestion: '要修改哪一题?',
  submitted: (subject: string) => `✅ 已提交:${subject}。问卷已锁定,如需修改请联系组长退回。`,
  figuresSubmittedNow: '✅ 已提交:县级数据。汇总表按这些数字计算;如需更正,发送 /figures 点“修改县级数据”。',
  notSubmittable: (n: number) => `还有 ${n} 题未完成,不能提交。`,
  surveyTaken: '该问卷已由其他检查员开始填写,您不能打开。',
  // evidence (photos and location)
  askLocation: (subject: string) =>
    `📍 ${subject}:问题已答完。请在现场点下方“📍 发送当前位置”,作为到访记录。\n无法定位的,点“跳过”并说明原因。`,
  askLocationAgain: '请点下方“📍 发送当前位置”;无法定位的,点“跳过”并说明原因。',
  askSkipReason: '请用一句话说明无法发送位置的原因(至少 4 个字),例如“山区无信号”。',
  locationRecorded: (village: string, km?: number) =>
    km === undefined ? '📍 已记录位置。' : `📍 已记录位置:距${village} ${km} 公里。`,
  locationSkipped: '已记录无法定位的原因。',
  askPhotos: (subject: string, have: number, need: number) =>
    `📷 ${subject}:本问卷需要至少 ${need} 张现场照片,目前 ${have} 张。\n请直接发送照片(拍照或从相册选,可加说明);确实无法拍照的,请回复原因(至少 4 个字)。`,
  photoSaved: (n: number, about: string) => `📷 已保存照片(第 ${n} 张,${about})。`,
  photoAboutQuestion: (label: string) => `关联:${label}`,
  photoCaption: (p: {
    subject: string;
    index: number;
    total: number;
    about: string;
    at: string;
    caption?: string;
    flags?: string[];
  }) =>
    [
      ...(p.flags ? [`⚠️ ${p.flags.join(';')}`] : []),
      `📷 ${p.subject} ${p.index}/${p.total}`,
      `${p.about} · ${p.at}`,
      ...(p.caption ? [`说明:${p.caption}`] : []),
    ].join('\n'),
  photoAboutSurvey: '关联:整份问卷',
  photosUnavailable: (n: number) => `有 ${n} 张照片暂时无法显示(存储中找不到),请联系市扶贫办核查。`,
  photoAlready: '这张照片已经保存过了。',
  photoSurveySwitched: '没有保存:发送时打开的问卷已经换成了另一份。请在要附照片或位置的问卷里重新发送。',
  photoStoreFailed: '照片没能保存,请稍后重新发送这张照片。问卷的答案没有受影响。',
  photoTooMany: '每份问卷最多保存 20 张照片。',
  photoDownloadFailed: '没能从 Telegram 取到这张照片,请重新发送。问卷的答案没有受影响。',
  photoNotImage: '这个文件不是照片(只接收 JPG、PNG、WebP、HEIC 图片),没有保存。问卷的答案没有受影响。',
  photoTooLarge: '照片超过 20 MB,没有保存。请直接拍照发送(不要以原图文件发送超大图片)。',
  photoNoSurvey: '收到照片。现在没有打开的问卷,照片没有保存。请先打开问卷(/resume)再发送现场照片。',
  forwardedRefused: '转发的照片或位置不能作为现场证据,请在现场直接拍照或发送当前位置。',
  mediaNotAccepted: '问卷中只接收文字、照片和位置;语音、视频、贴纸等不会被记录。',
  reasonTooShort: '原因太短了,请用一句话说明(至少 4 个字)。',
  evidenceMissing: '提交前还需要现场位置(或无法定位的原因)和现场照片(或未拍照的原因)。',
  evidencePhotos: (n: number) => `📷 ${n} 张`,
  evidenceNoPhotos: (reason: string) => (reason ? `📷 无照片(原因:${reason})` : '📷 无照片'),
  evidenceDistance: (village: string, km: number) => `📍 距${village} ${km} 公里`,
  evidenceLocated: '📍 已定位',
  evidenceNoLocation: (reason: string) => `📍 未定位(原因:${reason})`,
  noLongerCovered: '您已不再负责该村的调查(身份已变更),此问卷已保存并交回检查组,由组内其他成员继续。',
  householdReplaced: '该农户已被替换出样本,问卷不能提交。请联系组长核实。',
  releasedLabel: '待接手',
  surveyLocked: '该问卷已提交并锁定。如需修改,请组长退回。',
  notInSample: '该农户不在样本中(或已被替换)。',
  noSample: '该村还没有抽样。',
  unknownVillage: '找不到这个村。',
  resumeTitle: '未完成和被退回的问卷:',
  resumeNone: '没有未完成的问卷。发送 /villages 开始新的调查。',
  mySubmittedTitle: (n: number) => `我已提交的问卷 ${n} 份(只读;如需修改请联系组长退回):`,
  mySubmittedNone: '您还没有已提交的问卷。',
  surveyBy: (name: string, started: string, submitted: string) =>
    `检查员:${name} · 开始 ${started}${submitted ? ` · 提交 ${submitted}` : ''}`,
  surveyReturnedNow: (reason: string) => `↩️ 已退回修改,原因:${reason}`,
  historyTitle: (subject: string) => `📜 修改记录:${subject}`,
  historyChange: (at: string, who: string, label: string, from: string, to: string) =>
    `${at} ${who} 修改「${label}」:${from} → ${to}`,
  historyReturn: (at: string, who: string, label: string) =>
    `${at} ${who} 退回修改${label ? `「${label}」` : ''}`,
  historyCleared: '(已清除)',
  historyNone: '没有修改过的答案,也没有被退回过。',
  historyEarlier: (n: number) => `(更早的 ${n} 条记录未显示)`,
  householdSubject: (name: string, village: string) => `${name}户(${village})`,
  villageSubject: (village: string) => `${village}村级调查表`,
  officeSubject: '县级数据',
  figuresSubmitted: (at: string) => `🧾 县级数据已于 ${at} 提交,汇总表按已提交的数字计算。`,
  figuresCorrected: (at: string) => `最后一次修改提交于 ${at}。`,
  figuresPendingEdit: '您有一份尚未提交的修改,点“修改县级数据”继续。',
  figuresOthersEditing: (n: number) => `另有 ${n} 位办公室人员的修改尚未提交。`,
  figuresChangedMeanwhile: (who: string, at: string, submitted: boolean) =>
    submitted
      ? `⚠️ 县级数据在您开始修改之后,已由${who ? ` ${who} ` : '他人'}于 ${at} 修改并提交。为免覆盖对方的修改,您的修改没有提交,汇总表仍按对方提交的数字计算。`
      : `⚠️ 县级数据在您开始填写之后,已由${who ? ` ${who} ` : '他人'}于 ${at} 修改(尚未提交)。为免覆盖对方的填写,您的填写没有提交。`,
  figuresUnsentTitle: (n: number) => `您改过的 ${n} 项(如仍需要,请点“修改县级数据”在现在的数字上重新填写):`,
  figuresUnsentLine: (label: string, mine: string, current: string) =>
    `• 「${label}」:您填 ${mine},现为 ${current}`,
  figuresUnsentMore: (n: number) => `(另有 ${n} 项未列出)`,
  figuresUnanswered: '未填',
  figuresUnsentNone: '您没有改过任何数字。',
  // leader
  groupSurveysTitle: (n: number) => `组内已提交问卷 ${n} 份(⚠ 表示有系统提示):`,
  chooseLedGroup: '您是多个检查组的组长,请选择检查组:',
  released: (n: number) =>
    `其中 ${n} 份为原检查员已停用或调离、交回本组的未完成问卷(🔓),组内成员打开即可继续。`,
  groupSurveysNone: '组内还没有已提交的问卷。',
  groupSurveysVillages: (n: number) => `组内已提交问卷 ${n} 份。请选择村:`,
  returnNotDelivered: '注意:检查员暂时收不到机器人消息(可能已屏蔽),请电话通知其发送 /resume 修改。',
  returnNotSent: '注意:退回通知没能发给检查员(发送出错),请电话通知其发送 /resume 修改。',
  returnReasonPrompt: (label: string) => `退回修改:${label}\n请回复退回原因(检查员会看到):`,
  returnReasonTooShort: '请写明退回原因(至少 4 个字),让检查员知道要改什么。',
  returnedToLeader: (subject: string) => `↩️ 已退回:${subject}。检查员会收到通知。`,
  returnedPush: (subject: string, label: string, reason: string) =>
    `↩️ 组长退回了您的问卷:${subject}\n需修改:${label}\n原因:${reason}`,
  notReturnable: '只有已提交的问卷才能退回。',
  // problems
  chooseCategory: '记录问题:请选择类别',
  chooseProblemTown: '请选择乡镇:',
  chooseProblemVillage: '请选择村:',
  chooseProblemHousehold: '涉及哪一户?(不涉及具体农户可点"跳过")',
  describeProblem:
    '请描述问题,做到见事见人、明确具体(写明村、户或人、具体事实),例如:\n"交东村黄明户帮扶手册人口5人,系统中为4人,数据不一致。"',
  problemTooShort: '描述太简短了。请写明是哪个村、哪一户或哪个人、具体什么事实(至少 10 个字)。',
  problemVague: '描述太笼统(如"有问题""不规范")。请写明具体事实,例如谁、哪里、哪项不符合。',
  /** A description refused as vague or too short: the next text is taken as the new one, or 取消. */
  describeAgain: (verdict: 'vague' | 'too_short') =>
    `${verdict === 'vague' ? t.problemVague : t.problemTooShort}\n请重新输入问题描述;不记录了请点「取消」。`,
  problemLogged: (category: string) => `✅ 问题已记录:${category}。整改期限内乡镇会收到提醒。`,
  proposal: (category: string, description: string) =>
    `根据调查结果,建议记录问题:\n【${category}】${description}`,
  proposalSkipped: '好的,不记录。这条建议不会再次提出。',
  // problems exactly once: proposals, the office's queue, the reporter's list (bot/problem-flow.ts)
  problemAlreadyLogged: (category: string) => `该问题此前已记录(${category}),没有重复记录。`,
  proposalsSettled: (n: number) => `另有 ${n} 条建议此前已确认或标记为不记录,不再重复提出。`,
  proposalsSuperseded: (n: number) => `修改后的答案不再提出此前的 ${n} 条建议,这些建议已作废。`,
  describeProposal: (suggested: string) =>
    `请发送修改后的问题描述,做到见事见人、明确具体。\n建议的描述:${suggested}`,
  queueEmpty: '没有待确认的问题建议。纸质调查表导入后,其中发现的问题会列在这里。',
  queueTitle: (n: number, shown: number) =>
    `纸质调查表导入发现的问题建议:共 ${n} 条待确认。\n请逐条确认记录、修改描述或不记录;也可以点"全部确认"一次记录全部。` +
    (n > shown ? `\n下面列出前 ${shown} 条,处理后再发送 /proposals 查看其余各条。` : ''),
  queueItem: (place: string, category: string, description: string) =>
    `📥 ${place}\n【${category}】${description}`,
  confirmAllPrompt: (n: number) =>
    `确定将待确认的 ${n} 条问题建议全部记录为问题吗?记录后各乡镇会收到整改提醒;记错的问题可在 /problems 中撤回。`,
  confirmedAll: (confirmed: number, already: number, vague: number, stale: number, waiting: number) =>
    `✅ 已记录 ${confirmed} 个问题。` +
    (already > 0 ? `另有 ${already} 条此前已记录,没有重复记录。` : '') +
    (vague > 0 ? `\n${vague} 条描述不够具体,未记录,请发送 /proposals 逐条修改后确认。` : '') +
    (stale > 0 ? `\n${stale} 条所依据的答案已更正,不再提出,已作废,未记录。` : '') +
    (waiting > 0 ? `\n${waiting} 条所属调查表已退回修改,待重新提交后再确认。` : ''),
  myProblemsNone: '您还没有记录问题。发送 /problem 记录发现的问题。',
  myProblemsTitle: (n: number, byStatus: string) =>
    `您记录的问题共 ${n} 个(${byStatus})。\n点问题查看详情;乡镇尚未处理的问题可以修改描述或撤回。`,
  problemStatusCount: (label: string, n: number) => `${label} ${n}`,
  problemCard: (lines: {
    category: string;
    place: string;
    description: string;
    status: string;
    deadline: string;
    created: string;
    changed?: string;
    reporter?: string;
    measures?: string;
    responsible?: string;
    rectifiedNote?: string;
    planned?: string;
    delayReason?: string;
    check?: string;
  }) =>
    [
      `【${lines.category}】`,
      `地点:${lines.place}`,
      `问题:${lines.description}`,
      `状态:${lines.status}(整改期限 ${lines.deadline})`,
      ...(lines.measures ? [`整改措施:${lines.measures}`] : []),
      ...(lines.responsible ? [`责任人:${lines.responsible}`] : []),
      ...(lines.planned ? [`计划完成:${lines.planned}(延期原因:${lines.delayReason ?? ''})`] : []),
      ...(lines.rectifiedNote ? [`整改结果:${lines.rectifiedNote}`] : []),
      ...(lines.check ? [`抽查结果:${lines.check}`] : []),
      `记录时间:${lines.created}${lines.reporter ? `(${lines.reporter})` : ''}${lines.changed ? `;修改于 ${lines.changed}` : ''}`,
    ].join('\n'),
  // The town's rectification and the group's check (bot/rectification-flow.ts)
  townProblemsTitle: (town: string, n: number, byStatus: string, byVillage: string) =>
    `${town}问题清单:共 ${n} 个(${byStatus})\n按村:${byVillage}\n点问题查看详情并填报整改情况。`,
  townProblemsNone: (town: string) => `${town}目前没有记录的问题。`,
  chooseProblemsTown: '请选择要查看问题清单的乡镇:',
  townLabel: (town: string, n: number) => `${town}(${n})`,
  wholeTown: '全镇',
  checkPassed: '已整改到位',
  checkFailed: (reason: string) => `未整改到位(${reason})`,
  askMeasures: '请填写整改措施(4–500 字),例如“11月8日前补发产业奖补资金 3000 元到户,并更新帮扶手册”。',
  askResponsible: '请填写整改责任人(姓名或单位,例如“东兴镇扶贫站 黄明”)。',
  askRectifiedNote:
    '请简要说明整改结果(4–500 字),例如“资金已于11月6日拨付到户,有银行回单”。发送后可再发整改照片。',
  askPlannedDate: '请填写计划完成日期,例如“12月15日”或“2017-12-15”(须晚于今天,两年以内)。',
  askDelayReason: '请说明需要较长时间整改的原因(4–500 字)。',
  askRejectReason: '请说明未整改到位的原因(4–500 字),乡镇会收到通知并重新整改。',
  measuresSaved: '✅ 已填报整改措施,状态为“整改中”。整改完成后请点“已整改”。可直接发送整改照片。',
  rectifiedSaved: '✅ 已报告整改完成,等待检查组抽查。可直接发送整改后的照片。',
  delaySaved: (date: string) => `✅ 已列入需较长时间整改的清单,计划 ${date} 前完成。`,
  verifiedSaved: '✅ 抽查结果:已整改到位。',
  rejectedSaved: '已记录:未整改到位。乡镇已收到通知,问题重新列为“未整改”。',
  notifyRectified: (town: string, place: string, description: string) =>
    `【待抽查】${town}报告已整改:\n${place}:${description}\n请抽查后点“已整改到位”或“未整改到位”。`,
  notifyRejected: (place: string, description: string, reason: string) =>
    `【未整改到位】检查组抽查认为以下问题未整改到位,请重新整改:\n${place}:${description}\n原因:${reason}`,
  problemHistoryTitle: (place: string) => `📜 处理记录:${place}`,
  problemHistoryNone: '还没有处理记录。',
  problemEvent: (at: string, who: string, action: string, detail: string) =>
    `${at} ${who}:${action}${detail ? `(${detail})` : ''}`,
  problemActions: {
    measures: '填报整改措施',
    rectified: '报告已整改',
    needs_longer: '申请延期',
    verified: '抽查:已整改到位',
    rejected: '抽查:未整改到位',
  },
  rectificationRefusals: {
    not_now: (status: string) => `这个问题现在是“${status}”,不能进行这项操作。`,
    text_short: '内容太短了,请至少写 4 个字。',
    text_long: '内容太长了,请控制在 500 字以内。',
    responsible_bad: '请填写责任人的姓名或单位(2–40 字)。',
    date_bad: '没看懂这个日期,请写成“12月15日”或“2017-12-15”。',
    date_past: '计划完成日期须晚于今天。',
    date_far: '计划完成日期太远了(最多两年以内)。',
    changed: '这个问题在您打开之后有了新的情况,没有做任何修改。请看下面的最新内容后再操作。',
  },
  problemPhotoHint: '如有现场照片,现在可以直接发送(最多 10 张),会附在这个问题上。',
  problemPhotoDescribeFirst: '请先用文字描述问题;记录后可以直接发送照片,附在问题上。',
  problemPhotoSaved: (n: number) => `📷 已附到问题上(共 ${n} 张)。`,
  problemPhotoAlready: '这张照片已经附在问题上了。',
  problemPhotoTooMany: '每个问题最多附 10 张照片。',
  problemPhotoWithdrawn: '这个问题已撤回,不能再附照片。',
  askProblemPhotos: '请直接发送照片(拍照或从相册选),会附在这个问题上。',
  problemPhotosLine: (n: number) => `照片:${n} 张`,
  problemPhotoCaption: (place: string, i: number, n: number, at: string, caption?: string) =>
    `📷 ${place} ${i}/${n} · ${at}${caption ? `\n说明:${caption}` : ''}`,
  problemLockedNote: '乡镇已开始处理这个问题,不能再修改或撤回。',
  problemWithdrawnNote: '这个问题已撤回,不再列入表3、表5 和整改提醒(记录保留备查)。',
  editProblemPrompt: (current: string) =>
    `请发送修改后的问题描述,做到见事见人、明确具体。\n当前描述:${current}`,
  problemEdited: '✅ 问题描述已修改。',
  confirmWithdraw: (description: string) =>
    `确定撤回这个问题吗?\n${description}\n撤回后不再列入表3、表5 和整改提醒,记录保留备查。`,
  problemWithdrawn: '✅ 问题已撤回。',
  problemRefusals: {
    unknown_category: '这个按钮已失效,请重新操作。',
    unknown_village: '这个按钮已失效,请重新操作。',
    unknown_problem: '找不到这个问题,可能已被删除或按钮已失效。',
    unknown_proposal: '找不到这条问题建议,按钮已失效。',
    town_acted: '乡镇已开始处理这个问题,不能再修改或撤回。如情况有变,请联系乡镇或扶贫办。',
    withdrawn: '这个问题已撤回,不能再修改。',
    proposal_confirmed: '这条建议已记录为问题,不能再标记为不记录。如需撤回,请发送 /problems。',
    proposal_stale: '这份问卷的答案已修改,现在的答案不再提出这个问题,这条建议已作废,未记录。',
    proposal_survey_returned: '这份问卷已退回修改,请在重新提交后再确认这条建议。',
    proposal_reworded: '这条问题建议的描述在您看到之后有了变化,没有做任何记录。',
    queue_changed: '待确认的问题建议在您看到之后有了变化,没有做任何记录。',
  },
  proposalReworded:
    '⚠️ 这条问题建议的描述在您看到之后有了变化(问卷重新提交或重新导入),没有做任何记录。现在的描述如下,请重新确认:',
  queueChanged: '⚠️ 待确认的问题建议在您看到之后有了变化(有新增、已处理或描述改动),没有做任何记录。',
  problemButtons: {
    mine: '📋 我记录的问题',
    confirmAll: (n: number) => `✅ 全部确认(${n} 条)`,
    confirmAllYes: '✅ 确定全部记录',
    edit: '✏️ 修改描述',
    withdraw: '↩️ 撤回',
    withdrawYes: '✅ 确定撤回',
    keep: '✖️ 不撤回',
    backToList: '⬅️ 返回列表',
    measures: '📝 填报整改措施',
    rectified: '✅ 已整改',
    delay: '📅 需延期',
    verify: '👍 已整改到位',
    reject: '👎 未整改到位',
    history: '📜 处理记录',
    townList: '🏘 本镇问题清单',
    open: '查看并处理',
    addPhotos: '📷 补充照片',
    viewPhotos: (n: number) => `🖼 查看照片(${n})`,
    prev: '⬅️ 上一页',
    next: '下一页 ➡️',
  },
  // office: people
  peopleMenu: '人员与权限:请选择要查看的范围',
  peopleOf: (scope: string, n: number) => `${scope}:共 ${n} 人。点人名查看和管理其身份。`,
  peopleAll: (n: number) => `全部人员(本页 ${n} 人,含已停用):`,
  peopleNone: '这里还没有人员。',
  personCard: (name: string, id: string, grants: string, status: string) =>
    `👤 ${name}(Telegram ID ${id})\n状态:${status}\n身份:\n${grants}`,
  personActive: '正常',
  personDeactivated: (at: string) => `已停用(${at})`,
  noGrants: '(无)',
  confirmRevoke: (name: string, grant: string) =>
    `确定撤销 ${name} 的身份「${grant}」吗?其未完成的该组问卷将交回检查组。`,
  revoked: (name: string, grant: string, released: number) =>
    `✅ 已撤销 ${name} 的身份「${grant}」。${released > 0 ? `${released} 份未完成问卷已交回检查组。` : ''}`,
  confirmDeactivate: (name: string) =>
    `确定停用 ${name} 吗?停用后其所有身份失效、收不到提醒,未完成问卷交回检查组。可随时恢复。`,
  deactivatedPerson: (name: string, released: number) =>
    `✅ 已停用 ${name}。${released > 0 ? `${released} 份未完成问卷已交回检查组。` : ''}`,
  reactivated: (name: string) => `✅ 已恢复 ${name},其原有身份重新生效。`,
  grantRevokedNotice: (grant: string, remaining: string) =>
    `扶贫办已撤销您的身份「${grant}」。您现在的身份:${remaining}。如有疑问,请联系扶贫办。`,
  reactivatedNotice: (grants: string) =>
    `扶贫办已恢复您的账号。您的身份:${grants}。发送 /help 查看可以做什么。`,
  cannotDeactivateSelf: '不能停用自己的账号。',
  nothingChanged: '没有变化(可能已由他人处理)。',
  invitesTitle: (n: number) => `未使用的邀请链接 ${n} 个(作废后链接立即失效):`,
  invitesNone: '没有未使用的邀请链接。',
  inviteLine: (grant: string, created: string, expires: string) =>
    `${grant} · ${created} 生成 · ${expires} 过期`,
  inviteCancelledOk: (grant: string) => `✅ 已作废邀请「${grant}」,该链接不能再使用。`,
  inviteAlreadyUsed: '该邀请已被使用,无法作废。如需收回权限,请在人员列表中撤销其身份。',
  // office
  chooseInviteRole: '生成邀请链接:请选择身份',
  chooseInviteGroup: '请选择检查组:',
  chooseInviteTown: '请选择乡镇:',
  inviteCreated: (role: string, scope: string, link: string, days: number) =>
    `邀请链接(${role}${scope ? `,${scope}` : ''},${days} 天内有效,只能使用一次):\n${link}`,
  chooseSummaryScope: '生成汇总表:请选择范围',
  summaryCity: '全市',
  summaryBuilding: '正在生成汇总表…',
  summaryFailed: '⚠️ 汇总表生成失败,请稍后再点 📊 汇总表 重试。如果多次失败,请联系管理员。',
  summaryQueued: '⏳ 正在生成汇总表,完成后会发到这里。数据多时需要几分钟,无需重复点击。',
  summaryReady: (scope: string) => `📊 ${scope}汇总表已生成。`,
  summaryUnavailable: '汇总功能尚未启用。',
  /** `name` is escaped by the caller (the message is HTML). */
  fileLink: (name: string, bytes: number, until: string) =>
    `📎 ${name}(${bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`})超过 Telegram 可发送的文件大小,请点下方按钮下载。链接 ${until} 前有效,过期后请重新生成。`,
  // group report and daily list
  reportBuilding: '正在生成本组检查报告材料…',
  reportIntro: (town: string) => `📄 ${town}检查情况(供书面报告使用):`,
  reportSignPrompt: '请核对表3、表4 和情况摘要,无误后点"签发"。',
  signedOff: (at: string) => `✅ 已签发(${at})。扶贫办可看到本组已签发。`,
  signedOffIncomplete: (at: string, missing: number) =>
    `✅ 已签发(${at}),签发时尚有 ${missing} 项未完成,理由已记录。扶贫办可看到。`,
  signOffTitle: '各检查组报告签发情况:',
  signOffLine: (group: string, town: string, at?: string, changed?: boolean) =>
    `${at ? (changed ? '⚠️' : '✅') : '⏳'} ${group}(${town}):${at ? (changed ? `签发后有变更(${at} 签发),待重新签发` : `已签发 ${at}`) : '未签发'}`,
  signOffIncomplete: (missing: number, reason: string) => `\n    签发时 ${missing} 项未完成,理由:${reason}`,
  reportCompleteness: '完成情况(已提交/抽样户数):',
  reportVillageLine: (village: string, submitted: number, sampled: number, villageSurvey: boolean) =>
    `${submitted === sampled && villageSurvey ? '✅' : '⏳'} ${village}:农户 ${submitted}/${sampled},村级表${villageSurvey ? '已提交' : '未提交'}`,
  reportNoVillages: '本组还没有抽样的村。',
  reportMissing: (n: number) => `尚有 ${n} 项未完成。`,
  reportComplete: '全部已提交。',
  reportNotSigned: '状态:未签发。',
  reportSigned: (at: string) => `状态:已签发(${at})。`,
  reportSignedIncomplete: (at: string, missing: number) => `状态:已签发(${at}),签发时 ${missing} 项未完成。`,
  reportChanged: (at: string, surveys: number, problems: number) =>
    `⚠️ 状态:签发后有变更(${at} 签发后,${surveys} 份问卷、${problems} 个问题有变化),请核对后重新签发。`,
  signOffAskReason: (missing: number) =>
    `尚有 ${missing} 项未完成。确定现在签发吗?请回复签发理由(至少 4 个字,扶贫办可看到),或点取消。`,
  /** A 签发 under a package that is no longer what the facts say; the new package follows. */
  reportChangedSinceShown: (surveys: number, problems: number) =>
    `⚠️ 这份报告发出后情况有了变化${surveys + problems > 0 ? `(${surveys} 份问卷、${problems} 个问题)` : ''},没有签发。请核对下面最新的报告后再签发。`,
  reportButtonOutdated: '这个“签发”按钮已过期,没有签发。请核对下面最新的报告后再签发。',
  /** After a refused 签发 whose reason was typed: it is not lost. */
  signOffReasonKept: '您写的签发理由已保留,核对后再点“签发”即可直接使用。',
  signOffKeptReason: (reason: string) => `您之前写的理由:「${reason}」`,
  keptReasonGone: '这个按钮已过期:请重新点“签发”。',
  signOffReasonTooShort: '理由太短了,请用一句话写明为什么在未完成时签发(至少 4 个字)。',
  chooseTomorrow: (date: string) => `明日检查村:请选择明天(${date})要去的村`,
  tomorrowSet: (village: string, day: string, date: string, requestAt: string, dueAt: string) =>
    `✅ 已设定${day}检查村:${village}(${date})。乡镇联络人将${requestAt ? `在 ${requestAt} ` : '很快'}收到上传名单的通知(${dueAt} 前上传)。`,
  tomorrowPast: (date: string) =>
    `这个菜单是为 ${date} 选村的,这一天已经过去,没有设定。请重新选择明天要去的村。`,
  tomorrowUnavailable: '明日检查村功能尚未启用。',
  tomorrowInvalid: '无法设定这个村为明日检查村(不属于本组检查的乡镇,或日期已过)。',
  buttons: {
    download: '⬇️ 下载文件',
    signOff: '✍️ 签发',
    signWithKeptReason: '✅ 用这个理由签发',
    back: '⬅️ 上一题',
    pause: '⏸ 暂停',
    keepValue: (display: string) => `✔ 保持:${display}`,
    confirmEdit: '✅ 确定修改',
    correctFigures: '✏️ 修改县级数据',
    sendLocation: '📍 发送当前位置',
    skipLocation: '跳过(说明原因)',
    mySubmitted: (n: number) => `📄 我已提交的问卷(${n})`,
    history: '📜 修改记录',
    backToSurvey: '⬅️ 返回问卷',
    cancelEdit: '✖️ 取消修改',
    none: '无',
    done: '✅ 选好了',
    confirm: '✅ 确认无误',
    reenter: '✏️ 重新填写',
    edit: '✏️ 修改',
    submit: '✅ 提交',
    continue: '▶️ 继续答题',
    upload: '📤 上传名单',
    draw: '🎲 抽取样本',
    start: '▶️ 开始调查',
    resume: '▶️ 继续填写',
    replace: '🔁 申请替换',
    villageSurvey: '🏘 村级调查表',
    addOnSite: '➕ 现场增补',
    cancel: '✖️ 取消',
    backToVillages: '⬅️ 返回村列表',
    backToVillage: '⬅️ 返回',
    returnSurvey: '↩️ 退回修改',
    openReturned: '✏️ 打开并修改',
    skip: '跳过',
    logProblem: '✅ 确认记录',
    editProblem: '✏️ 修改描述',
    skipProblem: '不记录',
    city: '全市',
    acceptGrant: '✅ 接受',
    declineGrant: '✖️ 不接受',
    confirmReplace: '✅ 确定替换',
    keepList: '✖️ 保留原名单',
    confirmDraw: '🎲 确定抽取',
    revoke: '撤销',
    deactivate: '⛔ 停用此人',
    reactivate: '♻️ 恢复启用',
    chooseAgain: '📅 重新选择',
    confirmYes: '✅ 确定',
    confirmNo: '✖️ 取消',
    invites: '🔗 未使用的邀请',
    everyone: '👥 全部人员',
    nextPage: '下一页 ➡️',
    cancelInvite: '作废',
    backToPeople: '⬅️ 返回人员',
  },
} as const;
