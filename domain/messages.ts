// Chinese texts the form engine produces (rejection reasons, hints, value rendering). Every front
// end (bot, browser chat, importer) shows these as they are, so they live with the engine.

export const engineMessages = {
  notANumber: (unit: string) => `请输入阿拉伯数字${unit ? `(单位:${unit})` : ''},例如 12`,
  chineseNumeral: '请用阿拉伯数字填写,例如把"三"写成 3',
  negative: '不能为负数,请重新输入',
  notInteger: '这里要填整数,不能有小数,请重新输入',
  tooManyDecimals: '金额最多保留两位小数(精确到分),请重新输入',
  belowMin: (min: number, unit: string) => `不能小于 ${min}${unit},请重新输入`,
  aboveMax: (max: number, unit: string) => `不能大于 ${max}${unit},请重新输入`,
  pctRange: '百分比应在 0 到 100 之间,只填数字,例如 98.5',
  notAChoice: (labels: readonly string[]) => `请从以下选项中选择:${labels.join('、')}`,
  emptyMulti: '请至少选择一项',
  emptyText: '这一题不能为空,请填写具体内容',
  emptyList: '请至少填写一个户主姓名,多个姓名用逗号或顿号分开',
  tooLong: (max: number) => `内容太长了(最多 ${max} 个字),请精简后重新发送`,
  notApplicable: '这一题不适用于当前农户/村,无需回答',
  unknownQuestion: '找不到这道题,请重新打开问卷',
  reasonRequired: '请用一句话写明理由(至少 4 个字)后再确认',
  wrongType: '答案的格式不对,请按提示重新填写',
  hint: {
    yesno: '请点击"是"或"否"',
    has: '请点击"有"或"无"',
    satisfied: '请点击"满意"或"不满意"',
    choice: '请点击一个选项',
    multi: '可多选,选好后点"完成"',
    int: (unit: string) => `请回复一个整数${unit ? `,单位:${unit}` : ''}`,
    money: '请回复金额(元),可带两位小数,例如 4200 或 3560.50',
    decimal: (unit: string) => `请回复一个数字${unit ? `,单位:${unit}` : ''},可带小数`,
    pct: '请回复百分比数字(0–100),例如 98.5',
    text: '请直接回复文字',
    textOptional: '请直接回复文字;没有可点"无"',
    textList: '请回复户主姓名,多个用顿号或逗号分开(例如:陈海军、李华)',
  },
  unanswered: '—',
  none: '无',
  crossDefault: (than: number) => `与前面填写的 ${than} 不符,请核对后重新输入`,
} as const;

export const standardChoices = {
  yesno: [
    { id: 'yes', label: '是' },
    { id: 'no', label: '否' },
  ],
  has: [
    { id: 'has', label: '有' },
    { id: 'none', label: '无' },
  ],
  satisfied: [
    { id: 'satisfied', label: '满意' },
    { id: 'unsatisfied', label: '不满意' },
  ],
} as const;

/** Extra words people type for the standard choices, per question type. */
export const choiceSynonyms: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  yesno: {
    是的: 'yes',
    对: 'yes',
    y: 'yes',
    yes: 'yes',
    1: 'yes',
    不是: 'no',
    不对: 'no',
    没有: 'no',
    n: 'no',
    no: 'no',
    2: 'no',
  },
  has: { 有的: 'has', 1: 'has', 没有: 'none', 2: 'none' },
  satisfied: { 1: 'satisfied', 比较满意: 'satisfied', 2: 'unsatisfied' },
};
