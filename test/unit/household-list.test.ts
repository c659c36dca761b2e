import { describe, expect, it } from 'vitest';
import type { StratumId } from '../../domain/forms/types';
import {
  droppedColumnsNotice,
  type Household,
  type HouseholdListOptions,
  listFingerprint,
  MAX_HOUSEHOLDS,
  matchStratum,
  parseHouseholdList,
} from '../../domain/household-list';

const header = ['户编号', '户主姓名', '农户类型', '人口', '组/屯', '联系电话'];

/** A small valid list of a village, one row per stratum plus one. */
const goodRows = (): string[][] => [
  header,
  ['4506810001', '黄志明', '2014年退出户', '4', '大田组', '13800000001'],
  ['4506810002', '李秀英', '2016年已脱贫户', '3', '大田组', ''],
  ['4506810003', '陈国强', '2017年预脱贫户', '5', '河边屯', ''],
  ['4506810004', '王桂兰', '建档立卡贫困户', '2', '河边屯', ''],
  ['4506810005', '刘德华', '非贫困户', '6', '大田组', ''],
];

function expectOk(rows: readonly (readonly string[])[], options?: HouseholdListOptions): Household[] {
  const result = parseHouseholdList(rows, options);
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result.households;
}

function errorsOf(rows: readonly (readonly string[])[], options?: HouseholdListOptions) {
  const result = parseHouseholdList(rows, options);
  if (result.ok) throw new Error('expected errors, got ok');
  return result.errors;
}

describe('parseHouseholdList', () => {
  it('reads a well-formed list into households with stratum ids, 人口 and 组, dropping the phone column', () => {
    const result = parseHouseholdList(goodRows());
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const households = result.households;
    expect(households).toHaveLength(5);
    expect(households[0]).toEqual({
      id: '4506810001',
      name: '黄志明',
      stratum: 'exited_2014_2015',
      population: 4,
      team: '大田组',
    });
    expect(households.map((h) => h.stratum)).toEqual([
      'exited_2014_2015',
      'exited_2016',
      'planned_2017',
      'registered_poor',
      'non_poor',
    ]);
    // We keep no personal data we do not use: the phone number is not stored, and the uploader is told.
    expect(JSON.stringify(households)).not.toContain('13800000001');
    expect(result.droppedColumns).toEqual(['联系电话']);
    expect(droppedColumnsNotice(result.droppedColumns)).toBe('已忽略以下列(不保存):联系电话');
  });

  it.each([
    [['户号', '户主', '类型']],
    [['农户编号', '姓名', '类别']],
    [['户代码', '户主名称', '户类型']],
    [['编号', '户主姓名', '农户类别']],
    [['户 编 号', '户主姓名(必填)', '农户类型']],
    [['户编号', '户主姓名', '农户类型']],
  ])('maps the header variant %j to id, name and stratum', (variant) => {
    const households = expectOk([variant, ['A01', '张三', '非贫困户']]);
    expect(households).toEqual([{ id: 'A01', name: '张三', stratum: 'non_poor' }]);
  });

  it('accepts the columns in any order and drops unknown columns such as 序号, naming them', () => {
    const result = parseHouseholdList([
      ['序号', '农户类型', '户主姓名', '户编号'],
      ['1', '贫困户', '张三', 'A01'],
    ]);
    expect(result).toEqual({
      ok: true,
      households: [{ id: 'A01', name: '张三', stratum: 'registered_poor' }],
      droppedColumns: ['序号'],
    });
  });

  it('prefers 户主姓名 over a second column 姓名 and drops the latter', () => {
    const result = parseHouseholdList([
      ['户编号', '姓名', '户主姓名', '农户类型'],
      ['A01', '张小明', '张三', '一般农户'],
    ]);
    expect(result).toMatchObject({ ok: true, households: [{ name: '张三' }], droppedColumns: ['姓名'] });
  });

  it('finds the header under a title row and keeps spreadsheet row numbers', () => {
    const rows = [['大田村2017年农户名单'], [], ...goodRows()];
    expect(expectOk(rows)).toHaveLength(5);
    rows[4]![1] = '';
    expect(errorsOf(rows)).toEqual([
      { row: 5, column: '户主姓名', code: 'empty_name', message: '第5行「户主姓名」为空,请填写户主姓名' },
    ]);
  });

  it('normalises full-width characters and stray spaces in cells', () => {
    const households = expectOk([
      ['户编号', '户主姓名', '农户类型'],
      [' Ａ０１ ', '张  三', '２０１６年　已脱贫户'],
    ]);
    expect(households[0]).toMatchObject({ id: 'A01', name: '张三', stratum: 'exited_2016' });
  });

  it('skips wholly blank rows without counting them as errors', () => {
    const rows = goodRows();
    rows.splice(3, 0, ['', ' ', ''], []);
    expect(expectOk(rows)).toHaveLength(5);
  });

  it('reports an empty household id with its row, column and a Chinese message', () => {
    const rows = goodRows();
    rows[2]![0] = ' ';
    expect(errorsOf(rows)).toEqual([
      { row: 3, column: '户编号', code: 'empty_id', message: '第3行「户编号」为空,请填写户编号' },
    ]);
  });

  it('reports an empty name using the header text the town wrote', () => {
    const errors = errorsOf([
      ['户号', '户主', '类别'],
      ['A01', '张三', '非贫困户'],
      ['A02', '', '非贫困户'],
    ]);
    expect(errors).toEqual([
      { row: 3, column: '户主', code: 'empty_name', message: '第3行「户主」为空,请填写户主姓名' },
    ]);
  });

  it('reports an empty stratum', () => {
    const rows = goodRows();
    rows[5]![2] = '';
    expect(errorsOf(rows)).toEqual([
      { row: 6, column: '农户类型', code: 'empty_stratum', message: '第6行「农户类型」为空,请填写农户类型' },
    ]);
  });

  it('reports an unknown stratum and lists the accepted values', () => {
    const rows = goodRows();
    rows[4]![2] = '低保户';
    const errors = errorsOf(rows);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 5, column: '农户类型', code: 'unknown_stratum' });
    expect(errors[0]!.message).toBe(
      '第5行「农户类型」的值「低保户」无法识别,请填写以下类型之一:' +
        '2014、2015年退出户、2016年已脱贫户、2017年计划脱贫户、建档立卡贫困户、非贫困户',
    );
  });

  it('reports 已脱贫户 without a year as ambiguous instead of guessing the year', () => {
    const rows = goodRows();
    rows[2]![2] = '已脱贫户';
    expect(errorsOf(rows)).toEqual([
      {
        row: 3,
        column: '农户类型',
        code: 'ambiguous_stratum',
        message:
          '第3行「农户类型」的值「已脱贫户」未写明脱贫年份,请写成「2014、2015年退出户」或「2016年已脱贫户」',
      },
    ]);
  });

  it('reports a duplicate household id on the later row, naming the first one', () => {
    const rows = goodRows();
    rows[5]![0] = '4506810002';
    expect(errorsOf(rows)).toEqual([
      {
        row: 6,
        column: '户编号',
        code: 'duplicate_id',
        message: '第6行「户编号」4506810002与第3行重复,同一户只能出现一次',
      },
    ]);
  });

  it('reports an id mangled into scientific notation by Excel', () => {
    const rows = goodRows();
    rows[1]![0] = '4.50681E+17';
    const errors = errorsOf(rows);
    expect(errors).toMatchObject([{ row: 2, column: '户编号', code: 'id_scientific' }]);
    expect(errors[0]!.message).toContain('科学计数法');
  });

  it('reports each missing column on the header row with the accepted names', () => {
    const errors = errorsOf([
      ['户编号', '人口'],
      ['A01', '3'],
    ]);
    expect(errors.map((e) => [e.row, e.code, e.column])).toEqual([
      [1, 'missing_column', '户主姓名'],
      [1, 'missing_column', '农户类型'],
    ]);
    expect(errors[0]!.message).toMatch(/^第1行\(表头\)缺少「户主姓名」列,可用的列名:户主姓名、户主、/u);
  });

  it('reports a doubled column it cannot choose between', () => {
    const errors = errorsOf([
      ['户编号', '户主姓名', '户主姓名', '农户类型'],
      ['A01', '张三', '李四', '非贫困户'],
    ]);
    expect(errors).toMatchObject([{ row: 1, column: '户主姓名', code: 'duplicate_column' }]);
  });

  it('reports a list with a header and no households', () => {
    expect(errorsOf([header, ['', '', '']])).toEqual([
      { row: 1, code: 'empty_list', message: '名单中没有任何农户(表头在第1行,其后没有数据)' },
    ]);
    expect(errorsOf([])).toMatchObject([{ row: 1, code: 'empty_list' }]);
  });

  it('rejects the whole list when one row among good ones is bad, reporting exactly that row', () => {
    const rows = goodRows();
    rows[3]![1] = '';
    const result = parseHouseholdList(rows);
    expect(result).toEqual({
      ok: false,
      errors: [
        { row: 4, column: '户主姓名', code: 'empty_name', message: '第4行「户主姓名」为空,请填写户主姓名' },
      ],
    });
    expect('households' in result).toBe(false);
  });

  it('reports every bad row and every bad cell, not just the first', () => {
    const rows = goodRows();
    rows[1] = ['', '', '外来户', '', '', ''];
    rows[4]![0] = '4506810003';
    const errors = errorsOf(rows);
    expect(errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'empty_id'],
      [2, 'empty_name'],
      [2, 'unknown_stratum'],
      [5, 'duplicate_id'],
    ]);
  });
});

describe('household ids as towns write them', () => {
  const list = (...ids: string[]) => [
    ['户编号', '户主姓名', '农户类型'],
    ...ids.map((id, i) => [id, `农户${i}`, '非贫困户']),
  ];

  it.each(['3组/15号', '12:7', 'A#1', '4506810101', '东-3', 'x'.repeat(32)])('accepts %j as an id', (id) => {
    expect(expectOk(list(id))[0]!.id).toBe(id);
  });

  it('removes invisible characters, so A1 and A\u200b1 are the same household, reported on both rows', () => {
    const errors = errorsOf(list('A1', 'A\u200b1'));
    expect(errors).toEqual([
      {
        row: 3,
        column: '户编号',
        code: 'duplicate_id',
        message: '第3行「户编号」A1与第2行重复,同一户只能出现一次',
      },
    ]);
  });

  it.each([
    ['a zero-width non-joiner', 'A\u200c1'],
    ['a word joiner', 'A\u20601'],
    ['a byte-order mark', '\ufeffA1'],
    ['a soft hyphen', 'A\u00ad1'],
    ['a control character', 'A\u00071'],
    ['a line break', 'A\n1'],
  ])('strips %s from an id', (_, id) => {
    expect(expectOk(list(id))[0]!.id).toBe('A1');
  });

  it('refuses an id longer than 32 characters with its row and column', () => {
    const errors = errorsOf(list('A1', '4'.repeat(33)));
    expect(errors).toMatchObject([{ row: 3, column: '户编号', code: 'id_too_long' }]);
    expect(errors[0]!.message).toContain('最多32个字符');
  });

  it('keeps refusing an id Excel turned into scientific notation', () => {
    expect(errorsOf(list('4.50681E+17'))).toMatchObject([{ row: 2, code: 'id_scientific' }]);
  });

  it.each(['=HYPERLINK("http://x")', '+86', '-1', '@SUM(A1)', '＝1+1'])(
    'refuses the id %j that a spreadsheet would run as a formula',
    (id) => {
      const errors = errorsOf(list(id));
      expect(errors).toMatchObject([{ row: 2, column: '户编号', code: 'formula_like' }]);
      expect(errors[0]!.message).toContain('公式');
    },
  );
});

describe('head-of-household names', () => {
  const list = (name: string) => [
    ['户编号', '户主姓名', '农户类型'],
    ['A1', name, '非贫困户'],
  ];

  it('accepts a name of exactly 20 characters and refuses 21', () => {
    expect(expectOk(list('张'.repeat(20)))[0]!.name).toBe('张'.repeat(20));
    expect(errorsOf(list('张'.repeat(21)))).toMatchObject([
      { row: 2, column: '户主姓名', code: 'name_too_long' },
    ]);
  });

  it('counts a rare character outside the BMP as one character', () => {
    expect(expectOk(list(`${'张'.repeat(19)}𠀀`))[0]!.name).toHaveLength(21); // 20 characters, 21 UTF-16 units
  });

  it('refuses a name that is empty once invisible characters are removed', () => {
    expect(errorsOf(list('\u200b\u200b'))).toMatchObject([{ row: 2, code: 'empty_name' }]);
  });

  it.each(['=cmd|"/c calc"!A1', '@张三', '+张三', '-张三'])('refuses the formula-like name %j', (name) => {
    expect(errorsOf(list(name))).toMatchObject([{ row: 2, column: '户主姓名', code: 'formula_like' }]);
  });
});

describe('the optional 人口 column', () => {
  const list = (header: string, ...values: string[]) => [
    ['户编号', '户主姓名', '农户类型', header],
    ...values.map((v, i) => [`A${i}`, `农户${i}`, '非贫困户', v]),
  ];

  it.each(['人口', '家庭人口', '人口数', '家庭人数', '户人口', '人数', '人口(人)', '家庭人口（人）'])(
    'reads the column headed %j',
    (header) => {
      expect(expectOk(list(header, '4'))[0]!.population).toBe(4);
    },
  );

  it('accepts 1, 30, "4人" and an empty cell', () => {
    expect(expectOk(list('人口', '1', '30', '4人', '')).map((h) => h.population)).toEqual([
      1,
      30,
      4,
      undefined,
    ]);
  });

  it('reports each bad value with its row and column', () => {
    const errors = errorsOf(list('人口(人)', '五', '-1', '3.5', '0', '31', '2'));
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '人口(人)', 'bad_population'],
      [3, '人口(人)', 'bad_population'],
      [4, '人口(人)', 'bad_population'],
      [5, '人口(人)', 'bad_population'],
      [6, '人口(人)', 'bad_population'],
    ]);
    expect(errors[0]!.message).toBe(
      '第2行「人口(人)」的值「五」不是1–30之间的整数,请填写家庭人口数(不清楚可留空)',
    );
  });
});

describe('columns kept and dropped', () => {
  it.each(['村民小组', '所在组', '组', '组别', '组/屯', '屯', '自然村', '所在屯', '村小组'])(
    'keeps the %j column as the team',
    (header) => {
      const households = expectOk([
        ['户编号', '户主姓名', '农户类型', header],
        ['A1', '张三', '非贫困户', '河边屯'],
      ]);
      expect(households[0]!.team).toBe('河边屯');
    },
  );

  it('keeps a note of up to 100 characters and refuses a longer one', () => {
    const rows = (note: string) => [
      ['户编号', '户主姓名', '农户类型', '备注'],
      ['A1', '张三', '非贫困户', note],
    ];
    expect(expectOk(rows('外出务工'.repeat(25)))[0]!.note).toHaveLength(100);
    const errors = errorsOf(rows('外'.repeat(101)));
    expect(errors).toMatchObject([{ row: 2, column: '备注', code: 'note_too_long' }]);
    expect(errors[0]!.message).toContain('101个字符');
  });

  it('reads 说明 as the note', () => {
    const households = expectOk([
      ['户编号', '户主姓名', '农户类型', '说明'],
      ['A1', '张三', '非贫困户', '五保户'],
    ]);
    expect(households[0]).toEqual({ id: 'A1', name: '张三', stratum: 'non_poor', note: '五保户' });
  });

  it('drops phone, ID-card and any other column, names each, and stores none of their values', () => {
    const result = parseHouseholdList([
      ['序号', '户编号', '户主姓名', '身份证号', '农户类型', '联系电话', '人口', '', '所在组', '备注'],
      ['1', 'A1', '张三', '450681198001010011', '非贫困户', '13800000001', '3', '', '一组', '无'],
      ['2', 'A2', '李四', '450681198001010022', '非贫困户', '13800000002', '4', '私下记录', '一组', ''],
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.droppedColumns).toEqual(['序号', '身份证号', '联系电话', '第8列(无表头)']);
    const stored = JSON.stringify(result.households);
    for (const secret of ['4506811980', '1380000000', '私下记录']) expect(stored).not.toContain(secret);
    expect(result.households[0]).toEqual({
      id: 'A1',
      name: '张三',
      stratum: 'non_poor',
      population: 3,
      team: '一组',
      note: '无',
    });
  });

  it('drops a village column without mentioning it: it is this village by definition', () => {
    const result = parseHouseholdList([
      ['村名', '户编号', '户主姓名', '农户类型'],
      ['大田村', 'A1', '张三', '非贫困户'],
    ]);
    expect(result).toMatchObject({ ok: true, droppedColumns: [] });
  });
});

describe('list size', () => {
  const rows = (count: number) => [
    ['户编号', '户主姓名', '农户类型'],
    ...Array.from({ length: count }, (_, i) => [`H${i}`, `农户${i}`, '非贫困户']),
  ];

  it(`accepts ${MAX_HOUSEHOLDS} households`, () => {
    expect(expectOk(rows(MAX_HOUSEHOLDS))).toHaveLength(MAX_HOUSEHOLDS);
  });

  it('refuses one more with a single clear error instead of thousands', () => {
    const errors = errorsOf(rows(MAX_HOUSEHOLDS + 1));
    expect(errors).toEqual([
      {
        row: 1,
        code: 'too_many_households',
        message: '名单有20001行农户,超过每村20000户的上限。请确认文件是否只包含一个村的名单',
      },
    ]);
  });
});

describe('a list uploaded for the wrong village', () => {
  const jiaodong = { id: 'jiaodong', name: '交东村', idPrefix: '45068101' };
  const datian = { id: 'datian', name: '大田村', idPrefix: '45068102' };
  const malu = { id: 'malu', name: '马路村', idPrefix: '45068103' };
  const forJiaodong: HouseholdListOptions = { village: jiaodong, others: [datian, malu] };
  const body = (prefix: string) => [
    ['户编号', '户主姓名', '农户类型'],
    [`${prefix}01`, '黄志明', '非贫困户'],
    [`${prefix}02`, '李秀英', '建档立卡贫困户'],
  ];

  function refusal(rows: string[][], options: HouseholdListOptions = forJiaodong) {
    const result = parseHouseholdList(rows, options);
    if (result.ok || !result.wrongVillage)
      throw new Error(`expected a wrong-village refusal, got ${JSON.stringify(result)}`);
    return { wrongVillage: result.wrongVillage, errors: result.errors };
  }

  it('is refused when the title names another village of the campaign, saying which', () => {
    const { wrongVillage, errors } = refusal([['东兴镇大田村农户名单'], ...body('A')]);
    expect(wrongVillage).toEqual({ villageId: 'datian', name: '大田村', evidence: 'title' });
    expect(errors).toEqual([
      {
        row: 1,
        code: 'wrong_village',
        message: '该名单似乎是大田村的(标题为「东兴镇大田村农户名单」),不是交东村的。请确认后重新上传。',
      },
    ]);
  });

  it('is accepted when the title names this village', () => {
    expect(expectOk([['江平镇交东村农户名单'], ...body('45068101')], forJiaodong)).toHaveLength(2);
  });

  it('does not take a town for a village: 马路镇 contains 马路 but is not 马路村', () => {
    expect(expectOk([['马路镇2017年农户名单'], ...body('A')], forJiaodong)).toHaveLength(2);
    expect(expectOk([['马路镇交东村农户名单'], ...body('A')], forJiaodong)).toHaveLength(2);
  });

  it('does not take a longer village name for a shorter one it contains', () => {
    const jiangna = { id: 'jiangna', name: '江那村' };
    const xiajiangna = { id: 'xiajiangna', name: '下江那村' };
    const rows = [['下江那村农户名单'], ...body('A')];
    expect(refusal(rows, { village: jiangna, others: [xiajiangna] }).wrongVillage.villageId).toBe(
      'xiajiangna',
    );
    expect(expectOk(rows, { village: xiajiangna, others: [jiangna] })).toHaveLength(2);
  });

  it('is refused when a village column names another village, reporting the first such row', () => {
    const rows = [
      ['户编号', '户主姓名', '农户类型', '村(社区)'],
      ['A1', '黄志明', '非贫困户', '交东村'],
      ['A2', '李秀英', '非贫困户', ''],
      ['A3', '陈国强', '非贫困户', '大田'],
      ['A4', '王桂兰', '非贫困户', '大田村'],
    ];
    const { wrongVillage, errors } = refusal(rows);
    expect(wrongVillage).toEqual({ villageId: 'datian', name: '大田村', evidence: 'column' });
    expect(errors).toEqual([
      {
        row: 4,
        column: '村(社区)',
        code: 'wrong_village',
        message: '该名单似乎是大田村的(第4行「村(社区)」为「大田」),不是交东村的。请确认后重新上传。',
      },
    ]);
  });

  it('reads the village column after normalising width and spaces, and ignores a town name in it', () => {
    const rows = (value: string) => [
      ['户编号', '户主姓名', '农户类型', '行政村'],
      ['A1', '黄志明', '非贫困户', value],
    ];
    expect(refusal(rows(' 大 田 村 ')).wrongVillage.villageId).toBe('datian');
    expect(refusal(rows('东兴镇大田村')).wrongVillage.villageId).toBe('datian');
    expect(expectOk(rows('马路镇'), forJiaodong)).toHaveLength(1);
    expect(expectOk(rows('交东'), forJiaodong)).toHaveLength(1);
  });

  it("is refused when most ids carry another village's prefix and none this one's", () => {
    const { wrongVillage, errors } = refusal(body('45068102'));
    expect(wrongVillage).toEqual({ villageId: 'datian', name: '大田村', evidence: 'ids' });
    expect(errors[0]).toMatchObject({ row: 2, column: '户编号', code: 'wrong_village' });
    expect(errors[0]!.message).toBe(
      '该名单似乎是大田村的(2户中有2户的户编号以「45068102」开头),不是交东村的。请确认后重新上传。',
    );
  });

  it('is refused when most ids contain another village name in full', () => {
    const rows = [
      ['户编号', '户主姓名', '农户类型'],
      ['马路村1组01', '黄志明', '非贫困户'],
      ['马路村1组02', '李秀英', '非贫困户'],
    ];
    expect(refusal(rows).wrongVillage).toEqual({ villageId: 'malu', name: '马路村', evidence: 'ids' });
  });

  it('is not refused for ids that only share a stem with another village (马路 without 村)', () => {
    const rows = [
      ['户编号', '户主姓名', '农户类型'],
      ['马路1组01', '黄志明', '非贫困户'],
      ['马路1组02', '李秀英', '非贫困户'],
    ];
    expect(expectOk(rows, forJiaodong)).toHaveLength(2);
  });

  it("is not refused when under 80% of ids point elsewhere, nor when this village's prefix is common", () => {
    const mixed = [
      ['户编号', '户主姓名', '农户类型'],
      ...Array.from({ length: 10 }, (_, i) => [`${i < 7 ? '45068102' : 'X'}${i}`, `农户${i}`, '非贫困户']),
    ];
    expect(expectOk(mixed, forJiaodong)).toHaveLength(10);
    const nested = {
      village: { id: 'jiaodong', name: '交东村', idPrefix: '450681010' },
      others: [{ id: 'county', name: '某村', idPrefix: '450681' }],
    };
    expect(expectOk(body('4506810101'), nested)).toHaveLength(2);
  });

  it('checks the village before the rows, so a wrong file is not answered with row errors', () => {
    const rows = [['大田村农户名单'], ...body('A')];
    rows[2]![1] = '';
    expect(refusal(rows).errors.map((e) => e.code)).toEqual(['wrong_village']);
  });

  it('accepts options that list this village among the others', () => {
    const all = { village: jiaodong, others: [jiaodong, datian, malu] };
    expect(expectOk([['江平镇交东村农户名单'], ...body('45068101')], all)).toHaveLength(2);
    expect(refusal([['大田村农户名单'], ...body('A')], all).wrongVillage.villageId).toBe('datian');
  });

  it('without options skips the village checks', () => {
    expect(expectOk([['东兴镇大田村农户名单'], ...body('45068102')])).toHaveLength(2);
  });
});

describe('matchStratum', () => {
  const cases: [string, StratumId][] = [
    ['2014年退出户', 'exited_2014_2015'],
    ['2015年退出户', 'exited_2014_2015'],
    ['2014、2015年退出户', 'exited_2014_2015'],
    ['2014-2015年退出户', 'exited_2014_2015'],
    ['2015年脱贫户', 'exited_2014_2015'],
    ['14年脱贫户', 'exited_2014_2015'],
    ['2016年已脱贫户', 'exited_2016'],
    ['2016年脱贫户', 'exited_2016'],
    ['已脱贫户(2016)', 'exited_2016'],
    ['已脱贫户（２０１６年）', 'exited_2016'],
    ['2017年预脱贫户', 'planned_2017'],
    ['2017年计划脱贫户', 'planned_2017'],
    ['今年计划脱贫户', 'planned_2017'],
    ['预脱贫户', 'planned_2017'],
    ['计划脱贫户', 'planned_2017'],
    ['建档立卡贫困户', 'registered_poor'],
    ['未脱贫户', 'registered_poor'],
    ['贫困户', 'registered_poor'],
    ['非贫困户', 'non_poor'],
    ['一般农户', 'non_poor'],
    [' 非 贫 困 户 ', 'non_poor'],
    ['non_poor', 'non_poor'],
  ];
  it.each(cases)('maps %s to %s', (text, stratum) => {
    expect(matchStratum(text)).toEqual({ stratum });
  });

  it.each(['低保户', '五保户', '2018年计划脱贫户', '2013年退出户', ''])('does not recognise %j', (text) => {
    expect(matchStratum(text)).toBeUndefined();
  });
});

describe('listFingerprint', () => {
  const households = expectOk(goodRows());

  it('is a SHA-256 hex digest', () => {
    expect(listFingerprint(households)).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('does not change when rows are reordered or the optional columns differ', () => {
    const reordered = [...households]
      .reverse()
      .map((h) => ({ ...h, population: 9, team: '新组', note: 'x' }));
    expect(listFingerprint(reordered)).toBe(listFingerprint(households));
  });

  it('changes when any id, name or stratum changes, or a household is added or removed', () => {
    const base = listFingerprint(households);
    const variants: Household[][] = [
      households.map((h, i) => (i === 2 ? { ...h, id: `${h.id}9` } : h)),
      households.map((h, i) => (i === 2 ? { ...h, name: '陈国庆' } : h)),
      households.map((h, i) => (i === 2 ? { ...h, stratum: 'registered_poor' } : h)),
      households.slice(1),
      [...households, { id: '4506810006', name: '赵六', stratum: 'non_poor' }],
    ];
    const prints = variants.map(listFingerprint);
    for (const print of prints) expect(print).not.toBe(base);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
