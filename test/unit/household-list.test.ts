import { describe, expect, it } from 'vitest';
import type { StratumId } from '../../domain/forms/types';
import {
  type Household,
  listFingerprint,
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

function expectOk(rows: readonly (readonly string[])[]): Household[] {
  const result = parseHouseholdList(rows);
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result.households;
}

function errorsOf(rows: readonly (readonly string[])[]) {
  const result = parseHouseholdList(rows);
  if (result.ok) throw new Error('expected errors, got ok');
  return result.errors;
}

describe('parseHouseholdList', () => {
  it('reads a well-formed list into households with stratum ids and extra columns', () => {
    const households = expectOk(goodRows());
    expect(households).toHaveLength(5);
    expect(households[0]).toEqual({
      id: '4506810001',
      name: '黄志明',
      stratum: 'exited_2014_2015',
      extra: { 人口: '4', '组/屯': '大田组', 联系电话: '13800000001' },
    });
    expect(households.map((h) => h.stratum)).toEqual([
      'exited_2014_2015',
      'exited_2016',
      'planned_2017',
      'registered_poor',
      'non_poor',
    ]);
    // Empty extra cells are left out rather than stored as ''.
    expect(households[1]!.extra).toEqual({ 人口: '3', '组/屯': '大田组' });
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
    expect(households).toEqual([{ id: 'A01', name: '张三', stratum: 'non_poor', extra: {} }]);
  });

  it('accepts the columns in any order and keeps unknown columns such as 序号 as extra', () => {
    const households = expectOk([
      ['序号', '农户类型', '户主姓名', '户编号'],
      ['1', '贫困户', '张三', 'A01'],
    ]);
    expect(households).toEqual([
      { id: 'A01', name: '张三', stratum: 'registered_poor', extra: { 序号: '1' } },
    ]);
  });

  it('prefers 户主姓名 over a second column 姓名 and keeps the latter as extra', () => {
    const households = expectOk([
      ['户编号', '姓名', '户主姓名', '农户类型'],
      ['A01', '张小明', '张三', '一般农户'],
    ]);
    expect(households[0]).toMatchObject({ name: '张三', extra: { 姓名: '张小明' } });
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

  it('does not change when rows are reordered or extra columns differ', () => {
    const reordered = [...households].reverse().map((h) => ({ ...h, extra: { 备注: 'x' } }));
    expect(listFingerprint(reordered)).toBe(listFingerprint(households));
  });

  it('changes when any id, name or stratum changes, or a household is added or removed', () => {
    const base = listFingerprint(households);
    const variants: Household[][] = [
      households.map((h, i) => (i === 2 ? { ...h, id: `${h.id}9` } : h)),
      households.map((h, i) => (i === 2 ? { ...h, name: '陈国庆' } : h)),
      households.map((h, i) => (i === 2 ? { ...h, stratum: 'registered_poor' } : h)),
      households.slice(1),
      [...households, { id: '4506810006', name: '赵六', stratum: 'non_poor', extra: {} }],
    ];
    const prints = variants.map(listFingerprint);
    for (const print of prints) expect(print).not.toBe(base);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
